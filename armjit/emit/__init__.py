"""A64 machine code: operands, pure encoders, immediates, the Assembler.

Nothing in this package knows about CinderX or LIR.

Public API: the operand model (registers x0..x30/w0..w30/sp/xzr..., D/S/H/Q,
Cond, Shift, Extend, Mem, mem/pre/post), the errors, :class:`Assembler`,
:class:`Label`, :func:`assemble`, and the encoder modules ``arith``,
``logical``, ``movewide``, ``bitfield``, ``dataproc``, ``branch``,
``loadstore``, ``fp``, ``system``, ``immediates`` (what is encodable) and
``legalize`` (sequences for what is not).

Note: ``operands.fp`` (= x29, the frame pointer) is shadowed here by the
encoder module ``fp``; use ``x29`` (or ``operands.fp``).
"""

import importlib as _importlib

from .errors import AsmSyntaxError, EncodingError, LabelError  # noqa: F401
from .operands import *  # noqa: F401,F403
from .assembler import Annotation, Assembler, FinalCode, Label, Relocation  # noqa: F401
from .asmtext import assemble  # noqa: F401

arith = _importlib.import_module(__name__ + ".arith")
logical = _importlib.import_module(__name__ + ".logical")
movewide = _importlib.import_module(__name__ + ".movewide")
bitfield = _importlib.import_module(__name__ + ".bitfield")
dataproc = _importlib.import_module(__name__ + ".dataproc")
branch = _importlib.import_module(__name__ + ".branch")
loadstore = _importlib.import_module(__name__ + ".loadstore")
fp = _importlib.import_module(__name__ + ".fp")
system = _importlib.import_module(__name__ + ".system")
immediates = _importlib.import_module(__name__ + ".immediates")
legalize = _importlib.import_module(__name__ + ".legalize")
