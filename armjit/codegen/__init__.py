"""armjit.codegen: CinderX post-alloc LIR -> aarch64 machine code.

* :mod:`armjit.codegen.lower` -- one rule per LIR opcode (:data:`RULES`);
* :mod:`armjit.codegen.function` -- whole functions (:func:`compile_dump`);
* :mod:`armjit.codegen.scratch` -- the scratch-register / clobber checker;
* :mod:`armjit.codegen.frame`, :mod:`armjit.codegen.layout` -- the frame;
* :mod:`armjit.codegen.equiv` -- the Unicorn equivalence harness;
* :mod:`armjit.codegen.landmarks` -- code-pointer landmarks (asmjit's from its
  listing, armjit's from its labels) that map one layout onto the other;
* :mod:`armjit.codegen.meta` -- the checks of a corpus function directory
  (meta.json schema with ranges, listing/binary consistency, process facts).

Errors: :func:`compile_dump` refuses bad input only with subclasses of
:class:`armjit.errors.ArmjitError` -- ``DumpError`` (``MetaError``: meta.json
or a process fact outside :data:`armjit.codegen.meta.META_SCHEMA`), ``LIRParseError``
(line, column), ``LIRVerifyError``, ``LoweringError`` (encoder refusals,
``EncodingError``/``LabelError``, arrive wrapped in one) and
``FrameLayoutError``; its docstring says which stage raises which.  Any other
exception is a bug (tests/test_fuzz.py hunts for them).
"""

from .lower import COND, RULES, Ctx, LoweringError, lower_instruction  # noqa: F401


def __getattr__(name):
    if name in ("compile_dump", "compile_function", "CompiledFunction", "process_facts"):
        from . import function as _f
        return getattr(_f, name)
    if name in ("check_scratch", "ScratchError"):
        from . import scratch as _s
        return getattr(_s, name)
    raise AttributeError(name)


__all__ = ["COND", "RULES", "Ctx", "LoweringError", "lower_instruction", "compile_dump",
           "compile_function", "CompiledFunction", "process_facts", "check_scratch",
           "ScratchError"]
