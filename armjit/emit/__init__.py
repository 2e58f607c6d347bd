"""A64 machine code: operands, pure encoders, immediates, the Assembler.

Nothing in this package knows about CinderX or LIR.

Public API: the operand model (registers x0..x30/w0..w30/sp/xzr/fp/lr...,
D/S/H/Q, Cond, Shift, Extend, Mem, mem/pre/post), the errors,
:class:`Assembler`, :class:`Label`, :func:`assemble`, and the encoder modules
``arith``, ``logical``, ``movewide``, ``bitfield``, ``dataproc``, ``branch``,
``loadstore``, ``fpsimd``, ``system``, ``immediates`` (what is encodable) and
``legalize`` (sequences for what is not).
"""

from .errors import AsmSyntaxError, EncodingError, LabelError  # noqa: F401
from .operands import *  # noqa: F401,F403
from .assembler import Annotation, Assembler, FinalCode, Label, Relocation  # noqa: F401
from .asmtext import assemble  # noqa: F401
from . import (arith, bitfield, branch, dataproc, fpsimd, immediates, legalize,  # noqa: F401
               loadstore, logical, movewide, system)
