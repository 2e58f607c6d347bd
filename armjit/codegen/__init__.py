"""armjit.codegen: CinderX post-alloc LIR -> aarch64 machine code.

* :mod:`armjit.codegen.abi` -- CinderX's aarch64 ABI facts (entry offsets, code
  flags, scratch and callee-saved registers) and the frame diagram;
* :mod:`armjit.codegen.lower` -- one rule per LIR opcode (:data:`RULES`);
* :mod:`armjit.codegen.function` -- whole functions (:func:`compile_dump`);
* :mod:`armjit.codegen.frame`, :mod:`armjit.codegen.layout` -- the frame;
  :mod:`armjit.codegen.framecheck` -- every stack access of the body lands in
  its slot (part of compiling: a function that fails it is refused).

Checking the output (the Unicorn equivalence harness, landmarks, the scratch
checker, LIR fragments) is :mod:`armjit.verify`; reading CinderX's log and
asmjit's listing is :mod:`armjit.cinderxlog`.
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


# Everything is imported on first use (PEP 562): the live runtime imports
# armjit.codegen.abi at start-up, and lowering costs ~0.5 s to import under qemu.
def __getattr__(name):
    if name in ("compile_dump", "compile_function", "CompiledFunction"):
        from . import function as _f
        return getattr(_f, name)
    if name in ("COND", "RULES", "Ctx", "LoweringError", "lower_instruction"):
        from . import lower as _l
        return getattr(_l, name)
    raise AttributeError(name)


__all__ = ["COND", "RULES", "Ctx", "LoweringError", "lower_instruction", "compile_dump",
           "compile_function", "CompiledFunction"]
