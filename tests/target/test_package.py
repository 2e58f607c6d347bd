"""`pip install` of armjit on the aarch64 machine itself, then armjit as CinderX's back end.

As a user on aarch64 hardware would: a venv of the machine's python3.14, pip
installing an sdist of this checkout with the machine's own gcc compiling the C
shim into the package (setup.py), CinderX from its wheel, and then
``import armjit; armjit.enable(auto=True)`` with no PYTHONPATH and no
environment variables.  The machine is the target rootfs, chrooted, with every
aarch64 executable (pip's children, gcc's cc1/as/ld) run by qemu
(armjit.target.native_run).  Offline: --no-index over the cached wheels,
--no-build-isolation, --no-deps (armjit's host-tool dependencies are not needed
to run it, and not installed here).
"""

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from armjit import target

pytestmark = pytest.mark.target

CHECKOUT = Path(__file__).resolve().parents[2]
W = target.GUEST_WORK

WORKLOAD = r'''
import json, sys, textwrap
import armjit
armjit.enable(auto=True, after_calls=2)
import cinderx.jit
from armjit.runtime import auto, codemem

def fib(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a

def work():
    return ([fib(k) for k in range(40)], textwrap.fill("the quick brown fox " * 8, 23),
            json.dumps({"a": [1, 2.5, None], "b": "q\"uote"}, sort_keys=True))

results = [work() for _ in range(5)]    # interpreted first, then armjit's code
print(json.dumps({
    "same": all(r == results[0] for r in results), "fib39": results[0][0][39],
    "armjit": armjit.__file__, "shim": codemem.load_shim().__file__,
    "shim_name": codemem.load_shim().__name__, "cinderx_jit": cinderx.jit.is_available(),
    "compiled": auto.compiled, "stats": auto.stats(), "prefix": sys.prefix,
    "path": sys.path,
}))
'''


def _sdist(tmp_path: Path) -> Path:
    """An sdist of the checkout, built on the host from a copy (the build writes egg-info)."""
    src = tmp_path / "src"
    shutil.copytree(CHECKOUT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".target", "tests", "bench", "docs", "build", "dist", "*.egg-info",
        "__pycache__", "*.so", ".hypothesis", ".pytest_cache"))
    p = subprocess.run([sys.executable, "-c",
                        "import sys; from setuptools import build_meta as b; "
                        "print(b.build_sdist(sys.argv[1]))", str(tmp_path)],
                       cwd=src, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    shutil.rmtree(src)
    return tmp_path / p.stdout.split()[-1]


def test_native_run_starts_aarch64_children_and_changes_nothing_outside(tmp_path):
    reason = target.native_unavailable()
    if reason:
        pytest.skip(reason)
    child = ("import platform, subprocess, sys\n"
             "c = subprocess.run([sys.executable, '-c', 'import os; print(os.getcwd(), 6 * 7)'],"
             " capture_output=True, text=True, cwd='/tmp')\n"
             "import os; assert os.listdir('/proc/self/fd')\n"
             "print(platform.machine(), c.returncode, c.stdout.strip())\n"
             "open('/tmp/made-inside', 'w').write('x')\n")
    global_binfmt = Path("/proc/sys/fs/binfmt_misc/qemu-aarch64")
    registered_before = global_binfmt.exists()
    p = target.native_run([["/usr/bin/python3.14", "-c", child]], tmp_path, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["aarch64", "0", "/tmp", "42"]
    assert (tmp_path / "made-inside").is_file()                 # the work dir is /tmp inside
    assert not (target.rootfs_dir() / "tmp" / "made-inside").exists()
    assert global_binfmt.exists() == registered_before   # no global registration
    failed = target.native_run([["/usr/bin/python3.14", "-c", "raise SystemExit(3)"],
                                ["/usr/bin/python3.14", "-c", "print('not reached')"]],
                               tmp_path, timeout=120)
    assert (failed.returncode, failed.stdout) == (3, "")


def test_pip_install_on_aarch64_compiles_the_shim_and_armjit_runs_cinderx_code(tmp_path):
    reason = target.native_unavailable()
    if reason:
        pytest.skip(reason)
    sdist = _sdist(tmp_path)
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for whl in target.ensure_build_wheels().values():
        shutil.copy(whl, wheels)
    pip_whl = next(wheels.glob("pip-*.whl")).name
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "workload.py").write_text(WORKLOAD)
    # --no-compile: byte-compiling everything under qemu costs more than it saves here
    pip = ["--no-index", "--find-links", f"{W}/wheels", "--no-cache-dir",
           "--disable-pip-version-check", "--no-compile"]
    t0 = time.monotonic()
    p = target.native_run([
        ["/usr/bin/python3.14", "-m", "venv", "--without-pip", f"{W}/venv"],
        # pip itself (from its wheel), the build requirements and CinderX, into the venv
        [f"{W}/venv/bin/python", f"{W}/wheels/{pip_whl}/pip", "install", *pip,
         "pip", "setuptools", "cffi", "cinderx", "pyelftools"],
        # armjit: setup.py has the rootfs's gcc compile the C shim into the package
        [f"{W}/venv/bin/pip", "install", *pip, "--no-build-isolation", "--no-deps",
         f"{W}/{sdist.name}"],
        [f"{W}/venv/bin/python", f"{W}/run/workload.py"],
    ], tmp_path, timeout=900)
    took = time.monotonic() - t0
    assert p.returncode == 0, (p.stdout[-3000:], p.stderr[-3000:])
    out = json.loads(p.stdout.splitlines()[-1])

    site = f"{W}/venv/lib/python3.14/site-packages/armjit/"
    assert out["prefix"] == f"{W}/venv"
    assert out["armjit"] == site + "__init__.py"         # the installed package, no checkout
    assert out["shim_name"] == "armjit._armjit_shim"      # compiled at install time
    assert out["shim"].startswith(site + "_armjit_shim.") and out["shim"].endswith(".so")
    assert not any("src" in entry or "shim" in entry for entry in out["path"])
    assert out["cinderx_jit"] is True
    assert out["same"] is True and out["fib39"] == 63245986
    # armjit compiled the hot functions (auto mode: after two calls)
    assert {"__main__:fib", "__main__:work"} <= set(out["compiled"]), out["compiled"]
    assert out["stats"]["compiled"] == len(out["compiled"]) >= 3
    print(f"pip install + workload on the target: {took:.0f} s")
