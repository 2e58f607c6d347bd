"""armjit.codegen: CinderX post-alloc LIR -> aarch64 machine code.

* :mod:`armjit.codegen.lower` -- one rule per LIR opcode (:data:`RULES`);
* :mod:`armjit.codegen.function` -- whole functions (:func:`compile_dump`);
* :mod:`armjit.codegen.scratch` -- the scratch-register / clobber checker;
* :mod:`armjit.codegen.frame`, :mod:`armjit.codegen.layout` -- the frame;
* :mod:`armjit.codegen.equiv` -- the Unicorn equivalence harness;
* :mod:`armjit.codegen.landmarks` -- code-pointer landmarks (asmjit's from its
  listing, armjit's from its labels) that map one layout onto the other.
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
