"""A64 machine code: operands, pure encoders, immediates, the Assembler.

Nothing in this package knows about CinderX or LIR.
"""

from .errors import AsmSyntaxError, EncodingError, LabelError  # noqa: F401
from .operands import *  # noqa: F401,F403
