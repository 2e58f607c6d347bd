"""armjit as a package on the host (x86-64): console scripts, the sdist, one cffi definition.

The aarch64 side (pip install on the machine itself, compiling the shim) is
tests/target/test_package.py.
"""

import re
import subprocess
import sys
import tarfile
from pathlib import Path

from armjit.runtime import shim_build

CHECKOUT = Path(__file__).resolve().parents[1]


def test_console_scripts_are_installed_and_run():
    bindir = Path(sys.executable).parent
    for name, module in [("armjit-disasm", "armjit.disasm"), ("armjit-corpus", "armjit.corpus")]:
        exe = bindir / name
        assert exe.is_file(), f"{exe} missing: is armjit pip-installed in this venv?"
        p = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        assert p.stdout.startswith("usage:")
        # and the module form stays
        q = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True,
                           text=True, timeout=60)
        assert q.returncode == 0 and q.stdout == p.stdout


def test_the_cdef_is_the_header_whatever_it_declares(tmp_path):
    header = (shim_build.CSRC / "armjit_shim.h").read_text()
    declared = set(re.findall(r"\b(armjit_\w+)\s*\(", header))
    assert declared  # the header declares functions
    for ffi, module in [(shim_build.ffibuilder(), "_armjit_shim"),
                        (shim_build.package_ffi(), "armjit._armjit_shim")]:
        c_file = tmp_path / "shim.c"
        ffi.emit_c_code(str(c_file))
        generated = c_file.read_text()
        assert f'"{module}"' in generated
        for name in declared:      # every declared function gets a cffi wrapper
            assert f"_cffi_f_{name}" in generated, name


def test_sdist_carries_the_c_sources_and_setup_py(tmp_path):
    # Built from a copy: the build writes egg-info beside the sources.
    import shutil
    src = tmp_path / "src"
    shutil.copytree(CHECKOUT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".target", "tests", "bench", "docs", "build", "dist", "*.egg-info",
        "__pycache__", "*.so", ".hypothesis", ".pytest_cache"))
    p = subprocess.run([sys.executable, "-c",
                        "import sys; from setuptools import build_meta as b; "
                        "print(b.build_sdist(sys.argv[1]))", str(tmp_path)],
                       cwd=src, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    sdist = tmp_path / p.stdout.split()[-1]
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    for want in ["setup.py", "pyproject.toml", "csrc/armjit_shim.c", "csrc/armjit_shim.h",
                 "armjit/runtime/shim_build.py", "armjit/runtime/codemem.py"]:
        assert want in names, want
