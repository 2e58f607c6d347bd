"""Installing armjit code as a live function's vectorcall entry (target tier)."""

import pytest

from armjit import target
from armjit.emit import Assembler, mem, x0, x1

pytestmark = pytest.mark.target


def test_shim_is_built_and_knows_the_function_layout():
    p = target.run(["-c",
                    "import _armjit_shim as s\n"
                    "def f(): pass\n"
                    "print(s.lib.armjit_func_vectorcall_offset(),\n"
                    "      s.lib.armjit_func_vectorcall_slot(s.ffi.NULL) == s.ffi.NULL,\n"
                    "      s.lib.armjit_func_vectorcall_slot(s.ffi.cast('void*', id(f)))\n"
                    "      != s.ffi.NULL)"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    offset, null_ok, func_ok = p.stdout.split()
    # PyFunctionObject: 16-byte header + pointer fields; vectorcall is a pointer-aligned field.
    assert int(offset) % 8 == 0 and 16 < int(offset) < 256
    assert (null_ok, func_ok) == ("True", "True")


def test_armjit_code_replaces_a_cinderx_compiled_function_and_is_restored():
    # Vectorcall ABI: x0 = func, x1 = args, x2 = nargsf.  Return args[1] (small ints
    # are immortal in 3.14, so no reference count is owed).
    a = Assembler()
    a.ldr(x0, mem(x1, 8))
    a.ret()
    code = a.finalize().code
    script = (
        "import cinderx.jit as jit\n"
        "from armjit.runtime.codemem import CodeMemory\n"
        "from armjit.runtime.install import install_vectorcall\n"
        "def f(a, b):\n    return a * 100 + b\n"
        "assert jit.force_compile(f) and jit.is_jit_compiled(f)\n"
        "before = f(3, 4)\n"
        f"blk = CodeMemory().install(bytes.fromhex('{code.hex()}'))\n"
        "inst = install_vectorcall(f, blk)\n"
        "during = (f(3, 4), f(5, 9), jit.is_jit_compiled(f))\n"
        "inst.restore()\n"
        "print(before, *during, f(3, 4), jit.is_jit_compiled(f))\n")
    p = target.run(["-c", script], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["304", "4", "9", "False", "304", "True"]
