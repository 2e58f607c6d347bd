"""The aarch64 target environment: qemu-user + Debian arm64 + CPython 3.14 + CinderX.

There is no ARM hardware here.  ``setup()`` builds, from package registries only,
a Debian sid arm64 root file system holding python3.14 and unpacks the CinderX
aarch64 wheel beside it; ``run()`` starts the aarch64 python3.14 under
``qemu-aarch64-static`` with CinderX and this checkout's ``armjit`` importable.

The recipe (and why each step is there) is ../shared/DESIGN.md, "Verified: a
real aarch64 CinderX under qemu".  The environment is cached in
``<checkout>/.target`` (ignored by git) or ``$ARMJIT_TARGET_DIR``; a second
``setup()`` only re-checks it.  Each finished step leaves a stamp; a directory
whose stamps or files do not check out is rebuilt.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import List, Optional, Sequence

CINDERX_VERSION = "2026.11.2.0"
PYTHON = "python3.14"
DEBIAN_SUITE = "sid"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
ROOTFS_PACKAGES = ["python3.14", "libpython3.14-dev", "libstdc++6", "libgcc-s1",
                   "libpython3.14-testsuite",  # CPython's Lib/test (bench/cpython_tests.py)
                   # The machine's own C compiler: `pip install` compiles the C shim on
                   # aarch64 (setup.py; tests/target/test_package.py, native_run).
                   "gcc", "libc6-dev"]
CFFI_VERSION = "2.1.1"   # its aarch64 wheel gives the target _cffi_backend for the C shim
PYELFTOOLS_VERSION = "0.33"  # pure: the live path reads _cinderx.so's symbols (runtime/process.py)
# Pure wheels that, with the cffi and cinderx wheels, let `pip install` of armjit run
# offline on the target with --no-build-isolation (tests/target/test_package.py).
BUILD_WHEELS = {"pip": "26.3", "setuptools": "84.2.1", "pycparser": "3.12"}
HOST_TOOLS = {  # a file that must exist -> the Debian package that provides it
    "qemu-aarch64-static": "qemu-user-static",
    "mmdebstrap": "mmdebstrap",
    "aarch64-linux-gnu-gcc": "gcc-aarch64-linux-gnu",   # builds the C shim (csrc/)
    # The cross compiler's libc headers.  gcc-aarch64-linux-gnu only *recommends*
    # libc6-dev-arm64-cross, so --no-install-recommends leaves it out and the shim
    # fails on <bits/wordsize.h>: name it explicitly.
    "/usr/aarch64-linux-gnu/include/bits/wordsize.h": "libc6-dev-arm64-cross",
}
# pauth=off: Debian's arm64 builds use pointer authentication, which qemu's
# default CPU emulates ~14x slower (DESIGN.md).
QEMU_CPU = "max,pauth=off"
STATE_VERSION = 1

# The opt-in torch environment (``setup-torch``; bench/torch_opinfo.py): PyPI's
# CPU-only aarch64 torch wheel, the last one for cp314 (from 2.11 on the aarch64
# wheels are CUDA builds of GBs: never unpin).  pip cannot resolve torch's
# requirements for another machine (its CUDA requirements are marked
# platform_machine == "x86_64" and pip evaluates markers on the host), so every
# wheel is named and pinned here: torch's Requires-Dist (mpmath for sympy,
# markupsafe for jinja2), and what torch.testing._internal imports (numpy,
# expecttest).
TORCH_VERSION = "2.10.0"
TORCH_WHEELS = {"torch": TORCH_VERSION, "filelock": "4.3.1", "typing_extensions": "4.16.0",
                "sympy": "1.14.0", "mpmath": "1.3.0", "networkx": "3.7", "jinja2": "3.1.6",
                "markupsafe": "3.0.4", "fsspec": "2026.9.0",
                "setuptools": "84.2.1",         # torch requires it on Python >= 3.12
                "numpy": "2.5.5", "expecttest": "0.3.0"}
TORCH_ENV_FLAG = "ARMJIT_TARGET_TORCH"     # "1": run() puts torch_site_dir() on the path

CHECKOUT = Path(__file__).resolve().parents[2]


class TargetError(RuntimeError):
    """A setup step failed; the message says which and what to do."""


def target_dir() -> Path:
    return Path(os.environ.get("ARMJIT_TARGET_DIR") or CHECKOUT / ".target")


def rootfs_dir() -> Path:
    return target_dir() / "rootfs"


def site_dir() -> Path:
    return target_dir() / "site"


def torch_site_dir() -> Path:
    return target_dir() / "torch-site"


def _log(msg: str) -> None:
    print(f"[armjit.target] {msg}", file=sys.stderr, flush=True)


def _stamp_path(step: str) -> Path:
    return target_dir() / f".stamp-{step}.json"


def _read_stamp(step: str) -> Optional[dict]:
    try:
        data = json.loads(_stamp_path(step).read_text())
    except (OSError, ValueError):
        return None
    return data if data.get("version") == STATE_VERSION else None


def _write_stamp(step: str, **info) -> None:
    # a new file, renamed over the old: never written through a hard link
    # (a `cp -al` copy of the target shares the stamps' inodes)
    path = _stamp_path(step)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"version": STATE_VERSION, **info}))
    os.replace(tmp, path)


def _run(cmd: Sequence[str], what: str, **kw) -> subprocess.CompletedProcess:
    try:
        p = subprocess.run(list(cmd), capture_output=True, text=True, **kw)
    except FileNotFoundError as e:
        raise TargetError(f"{what}: {cmd[0]} is not installed ({e})") from None
    if p.returncode != 0:
        tail = "\n".join((p.stderr or p.stdout).strip().splitlines()[-15:])
        raise TargetError(f"{what} failed (exit {p.returncode}): {' '.join(cmd)}\n{tail}")
    return p


# ----------------------------------------------------------------- steps


def ensure_host_tools() -> None:
    """qemu-aarch64-static and mmdebstrap, from Debian's packages."""
    missing = [pkg for exe, pkg in HOST_TOOLS.items()
               if (not os.path.exists(exe) if exe.startswith("/") else shutil.which(exe) is None)]
    if not missing:
        return
    if os.geteuid() != 0:
        raise TargetError(
            f"missing host tools {missing}: run as root, or install them with "
            f"'apt-get install {' '.join(missing)}'")
    if shutil.which("apt-get") is None:
        raise TargetError(f"missing host tools {missing} and no apt-get to install them")
    _log(f"installing {', '.join(missing)} (apt-get)")
    _run(["apt-get", "update"], "apt-get update (is the Debian archive reachable?)")
    _run(["apt-get", "install", "-y", "--no-install-recommends", *missing],
         f"apt-get install {' '.join(missing)}",
         env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def _rootfs_ok() -> bool:
    root = rootfs_dir()
    stamp = _read_stamp("rootfs")
    return (stamp is not None and stamp.get("packages") == ROOTFS_PACKAGES
            and (root / "usr/bin" / PYTHON).is_file()
            and (root / "lib").exists() and (root / "proc").is_dir())


def ensure_rootfs() -> None:
    """A Debian sid arm64 userland with python3.14 (mmdebstrap, extract only)."""
    if _rootfs_ok():
        return
    root = rootfs_dir()
    if root.exists():
        _log(f"rootfs at {root} is incomplete or stale: re-creating it")
        shutil.rmtree(root)
    _log(f"building the Debian {DEBIAN_SUITE} arm64 rootfs in {root} (mmdebstrap)")
    with _built_then_renamed(root, "rootfs-") as tmp:
        _run(["mmdebstrap", "--variant=extract", "--architectures=arm64",
              "--aptopt=Acquire::Check-Valid-Until \"false\"",
              f"--include={','.join(ROOTFS_PACKAGES)}",
              DEBIAN_SUITE, str(tmp), DEBIAN_MIRROR],
             "mmdebstrap of the arm64 rootfs (is the Debian archive reachable?)")
        # --variant=extract runs no maintainer scripts: make the usr-merge links.
        for d in ("lib", "bin", "sbin"):
            if not (tmp / d).exists() and not (tmp / d).is_symlink():
                (tmp / d).symlink_to(f"usr/{d}")
        (tmp / "proc").mkdir(exist_ok=True)     # a mount point for native_run()
        if not (tmp / "usr/bin" / PYTHON).is_file():
            raise TargetError(f"the rootfs has no usr/bin/{PYTHON}")
    _write_stamp("rootfs", packages=ROOTFS_PACKAGES)


def _site_ok() -> bool:
    stamp = _read_stamp("site")
    return (stamp is not None and stamp.get("cinderx") == CINDERX_VERSION
            and stamp.get("cffi") == CFFI_VERSION
            and stamp.get("pyelftools") == PYELFTOOLS_VERSION
            and (site_dir() / "elftools" / "__init__.py").is_file()
            and (site_dir() / "cinderx" / "__init__.py").is_file()
            and any(site_dir().glob("_cinderx*.so"))
            and any(site_dir().glob("_cffi_backend*.so")))


def _wheel(name: str, version: str, cache: str = "wheels") -> Path:
    """An aarch64 cp314 wheel of ``name==version`` from PyPI (cached in ``cache``/).
    ``name`` is spelt as in the wheel's file name (typing_extensions)."""
    wheels = target_dir() / cache
    wheels.mkdir(parents=True, exist_ok=True)
    have = list(wheels.glob(f"{name}-{version}-*.whl"))
    if not have:
        _log(f"downloading the {name} {version} wheel for aarch64 (pip)")
        _run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
              "--python-version", "3.14.5", "--implementation", "cp",
              "--platform", "manylinux_2_28_aarch64", "--platform", "manylinux_2_17_aarch64",
              f"{name}=={version}", "-d", str(wheels)],
             f"pip download of the {name} aarch64 wheel (is PyPI reachable?)")
        have = list(wheels.glob(f"{name}-{version}-*.whl"))
    if not have:
        raise TargetError(f"pip reported success but no {name} wheel was saved")
    return have[0]


def ensure_site() -> None:
    """The cinderx and cffi aarch64 wheels and the pure pyelftools wheel from
    PyPI, unpacked (a wheel is a zip)."""
    if _site_ok():
        return
    site = site_dir()
    if site.exists():
        _log(f"site-packages at {site} is incomplete or stale: re-creating it")
        shutil.rmtree(site)
    wheels = [_wheel("cinderx", CINDERX_VERSION), _wheel("cffi", CFFI_VERSION),
              _wheel("pyelftools", PYELFTOOLS_VERSION)]
    with _built_then_renamed(site, "site-") as tmp:
        for wheel in wheels:
            _unpack(wheel, tmp, "setup")
    _write_stamp("site", cinderx=CINDERX_VERSION, cffi=CFFI_VERSION,
                 pyelftools=PYELFTOOLS_VERSION)


def shim_dir() -> Path:
    return target_dir() / "shim"


def _shim_ok() -> bool:
    from armjit.runtime import shim_build
    stamp = _read_stamp("shim")
    return (stamp is not None and stamp.get("sources") == shim_build.sources_digest()
            and (shim_dir() / f"{shim_build.MODULE}.{shim_build.SOABI}.so").is_file())


def ensure_shim() -> None:
    """The C shim (csrc/), built with cffi and the aarch64 cross compiler."""
    if _shim_ok():
        return
    from armjit.runtime import shim_build
    _log("building the C shim (cffi + aarch64-linux-gnu-gcc)")
    if shim_dir().exists():
        shutil.rmtree(shim_dir())
    try:
        shim_build.build(shim_dir(), rootfs_dir())
    except (RuntimeError, OSError, ImportError) as e:
        raise TargetError(str(e)) from None
    _write_stamp("shim", sources=shim_build.sources_digest())


def _torch_ok() -> bool:
    stamp = _read_stamp("torch")
    return (stamp is not None and stamp.get("wheels") == TORCH_WHEELS
            and (torch_site_dir() / "torch" / "__init__.py").is_file()
            and any((torch_site_dir() / "torch").glob("_C.*.so")))


@contextlib.contextmanager
def _built_then_renamed(dest: Path, prefix: str):
    """A new directory beside ``dest`` (in target_dir()) to build in, renamed to
    ``dest`` when the block succeeds and removed otherwise: a half-built
    directory never sits at ``dest``."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=target_dir()))
    try:
        yield tmp
        tmp.rename(dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _unpack(wheel: Path, dest: Path, setup_command: str) -> None:
    """Unzip a wheel, keeping the files' modes (torch ships executables); a
    corrupt wheel is deleted and ``setup_command`` named to fetch it again."""
    try:
        with zipfile.ZipFile(wheel) as z:
            for info in z.infolist():
                path = z.extract(info, dest)
                mode = (info.external_attr >> 16) & 0o777
                if mode and not info.is_dir():
                    os.chmod(path, mode)
    except zipfile.BadZipFile:
        wheel.unlink()
        raise TargetError(f"{wheel.name} is corrupt; deleted it, run {setup_command} again") \
            from None


def ensure_torch() -> None:
    """Opt-in: torch (CPU, aarch64) and its pure requirements, pinned (TORCH_WHEELS),
    unpacked in torch_site_dir(); ~1 GB.  Only run(torch=True) uses it."""
    if _torch_ok():
        return
    dest = torch_site_dir()
    if dest.exists():
        _log(f"{dest} is incomplete or stale: re-creating it")
        shutil.rmtree(dest)
    wheels = [_wheel(name, version, cache="torch-wheels")
              for name, version in TORCH_WHEELS.items()]
    with _built_then_renamed(dest, "torch-site-") as tmp:
        for wheel in wheels:
            _log(f"unpacking {wheel.name}")
            _unpack(wheel, tmp, "setup-torch")
    _write_stamp("torch", wheels=TORCH_WHEELS)


def torch_ready() -> bool:
    return _torch_ok()


def _env_for_target(torch: bool = False) -> dict:
    env = dict(os.environ)
    env.pop("PYTHONHOME", None)
    env["QEMU_CPU"] = QEMU_CPU
    env["QEMU_LD_PREFIX"] = str(rootfs_dir())
    paths = [str(site_dir()), str(shim_dir()), str(CHECKOUT)]
    if torch:
        paths.append(str(torch_site_dir()))
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.pop("PYTHONSTARTUP", None)
    # The target runs armjit from the checkout, as an installed package would
    # run from site-packages: with byte-code cached (under qemu, compiling
    # armjit's sources at every start costs ~0.7 s).  The cache lives in the
    # target directory, never in the checkout.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(target_dir() / "pycache")
    return env


def command(args: Sequence[str]) -> List[str]:
    """The host command line that runs the aarch64 python3.14 with ``args``."""
    return ["qemu-aarch64-static", "-L", str(rootfs_dir()),
            str(rootfs_dir() / "usr/bin" / PYTHON), *args]


def ready() -> bool:
    """True when the rootfs, CinderX and the shim are in place (the JIT check aside)."""
    return _rootfs_ok() and _site_ok() and _shim_ok()


def run(args: Sequence[str], *, env: Optional[dict] = None, check_setup: bool = True,
        torch: Optional[bool] = None, **kw) -> subprocess.CompletedProcess:
    """Run the aarch64 python3.14 under qemu; ``kw`` goes to subprocess.run.

    ``torch=True`` (or, when ``torch`` is None, ``ARMJIT_TARGET_TORCH=1`` in the
    environment) also puts the opt-in torch environment (setup_torch()) on the path."""
    if torch is None:
        torch = os.environ.get(TORCH_ENV_FLAG) == "1"
    if check_setup and not ready():
        raise TargetError("the target is not set up: run 'python -m armjit.target setup'")
    if torch and check_setup and not torch_ready():
        raise TargetError("the torch environment is not set up: "
                          "run 'python -m armjit.target setup-torch'")
    full_env = _env_for_target(torch=torch)
    if env:
        full_env.update(env)
    return subprocess.run(command(args), env=full_env, **kw)


JIT_CHECK = (
    "import sys, cinderx, cinderx.jit as jit\n"
    "ok = jit.is_available()\n"
    "def f(a, b):\n    return a * b + 1\n"
    "compiled = jit.force_compile(f)\n"
    "print(sys.version.split()[0], ok, compiled, jit.is_jit_compiled(f), f(6, 7))\n"
)


def check_jit() -> str:
    """Prove CinderX's JIT is live on the target: compile a function, run it."""
    p = run(["-c", JIT_CHECK], capture_output=True, text=True, check_setup=False)
    if p.returncode != 0:
        raise TargetError("the aarch64 python3.14 could not import cinderx:\n"
                          + "\n".join(p.stderr.strip().splitlines()[-10:]))
    fields = p.stdout.split()
    if fields[1:] != ["True", "True", "True", "43"]:
        raise TargetError(
            "CinderX imported but its JIT is not live (a missing C++ runtime, e.g. "
            f"libstdc++6 in the rootfs, makes it fall back silently): got {p.stdout!r}")
    return fields[0]


def setup() -> str:
    try:
        target_dir().mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise TargetError(f"cannot create the target directory {target_dir()}: {e} "
                          "(set ARMJIT_TARGET_DIR to a writable place)") from None
    ensure_host_tools()
    ensure_rootfs()
    ensure_site()
    ensure_shim()
    ensure_build_wheels()
    version = check_jit()
    _log(f"ready: CPython {version} on aarch64 (qemu), CinderX {CINDERX_VERSION}, JIT live")
    return version


TORCH_CHECK = (
    "import time; t0 = time.perf_counter()\n"
    "import torch\n"
    "t1 = time.perf_counter()\n"
    "from torch.testing._internal.common_methods_invocations import op_db\n"
    "t2 = time.perf_counter()\n"
    "x = torch.arange(6, dtype=torch.float32).reshape(2, 3)\n"
    "print(torch.__version__, len(op_db), float((x @ x.T).sum()), "
    "f'{t1 - t0:.1f}', f'{t2 - t1:.1f}')\n"
)


def check_torch() -> dict:
    """Import torch and the OpInfo database on the target; compute a product."""
    p = run(["-c", TORCH_CHECK], capture_output=True, text=True, torch=True, cwd="/tmp")
    if p.returncode != 0:
        raise TargetError("the aarch64 python3.14 could not import torch and op_db:\n"
                          + "\n".join(p.stderr.strip().splitlines()[-10:]))
    version, n_ops, total, t_torch, t_opdb = p.stdout.split()[-5:]
    if float(total) != 83.0:
        raise TargetError(f"torch imported but computed {total} for 83.0")
    return {"torch": version, "op_db": int(n_ops), "import_torch_s": float(t_torch),
            "import_op_db_s": float(t_opdb)}


def setup_torch() -> dict:
    """The opt-in torch environment, on a target that setup() made: ensure_torch(),
    then check_torch().  It changes nothing that setup() made."""
    if not ready():
        raise TargetError("the target is not set up: run 'python -m armjit.target setup' "
                          "first, then setup-torch")
    ensure_torch()
    info = check_torch()
    _log(f"torch ready: {info['torch']}, {info['op_db']} OpInfos; import torch "
         f"{info['import_torch_s']} s, op_db {info['import_op_db_s']} s (under qemu)")
    return info


def ensure_build_wheels() -> dict:
    """name -> cached wheel: what `pip install` of armjit needs on the target, offline."""
    wanted = {**BUILD_WHEELS, "cffi": CFFI_VERSION, "cinderx": CINDERX_VERSION,
              "pyelftools": PYELFTOOLS_VERSION}
    return {name: _wheel(name, version) for name, version in wanted.items()}


# ------------------------------------------- as on an aarch64 machine (chroot)

# run() starts one aarch64 process under qemu; that process cannot start aarch64
# children (no binfmt_misc: exit 127), and a compiler must: gcc runs cc1, as and
# ld, pip runs its build backend in a child.  native_run() runs commands inside
# the rootfs as on an aarch64 machine: chrooted into it, in a user namespace of
# their own whose private binfmt_misc (Linux >= 6.7) hands every aarch64
# executable to qemu-aarch64-static, registered as Debian's qemu-user-static
# describes it (flag F: the interpreter is opened at registration, outside the
# chroot), with a /proc of its own.  Nothing outside that namespace changes: no
# global binfmt registration, no mount visible elsewhere, nothing written into
# the rootfs.
NATIVE_TOOLS = {"unshare": "util-linux", "mount": "mount", "chroot": "coreutils"}
BINFMT_CONF = Path("/usr/lib/binfmt.d/qemu-aarch64.conf")     # from qemu-user-static
GUEST_WORK = "/tmp"        # where native_run()'s work directory appears in the chroot
_UNAVAILABLE = 97          # the namespace set-up failed (the script's own exit code)


class NativeUnavailable(TargetError):
    """This machine cannot give the rootfs a private binfmt_misc (see native_run)."""


def _native_tools() -> dict:
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return {name: shutil.which(name, path=path) for name in NATIVE_TOOLS}


def _native_script(commands: Sequence[Sequence[str]], env: dict) -> str:
    import shlex
    tools = _native_tools()
    q = shlex.quote
    lines = [
        "set -u",
        f"{q(tools['mount'])} -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc"
        f" || exit {_UNAVAILABLE}",
        f'printf "%s\\n" "$ARMJIT_BINFMT" > /proc/sys/fs/binfmt_misc/register'
        f" || exit {_UNAVAILABLE}",
        f'{q(tools["mount"])} --bind "$ARMJIT_WORK" "$ARMJIT_ROOT{GUEST_WORK}"'
        f" || exit {_UNAVAILABLE}",
        # the namespace's own /proc (its pid namespace): CPython and armjit read /proc/self
        f'{q(tools["mount"])} -t proc proc "$ARMJIT_ROOT/proc" || exit {_UNAVAILABLE}',
    ]
    env_args = " ".join(q(f"{k}={v}") for k, v in env.items())
    for argv in commands:
        lines.append(f'env -i {env_args} {q(tools["chroot"])} "$ARMJIT_ROOT" '
                     + " ".join(q(a) for a in argv) + " || exit $?")
    return "\n".join(lines) + "\n"


def native_unavailable() -> Optional[str]:
    """None when native_run() can work here, else why not (one line)."""
    missing = [f"{name} ({NATIVE_TOOLS[name]})" for name, path in _native_tools().items()
               if path is None]
    if missing:
        return f"native_run needs {', '.join(missing)}"
    if not BINFMT_CONF.is_file():
        return f"native_run needs {BINFMT_CONF} (qemu-user-static)"
    p = subprocess.run([_native_tools()["unshare"], "--user", "--map-root-user", "--mount",
                        "--fork", _native_tools()["mount"], "-t", "binfmt_misc", "binfmt_misc",
                        "/proc/sys/fs/binfmt_misc"], capture_output=True, text=True)
    if p.returncode != 0:
        return ("no binfmt_misc of its own in a user namespace here (needs Linux >= 6.7, "
                "and user namespaces, which a chroot does not allow): "
                + (p.stderr.strip().splitlines() or ["?"])[-1])
    return None


def native_run(commands: Sequence[Sequence[str]], work: Path, *, env: Optional[dict] = None,
               timeout: Optional[float] = None) -> subprocess.CompletedProcess:
    """Run ``commands`` (argv lists, paths as the chroot sees them) one after another inside
    the rootfs as on an aarch64 machine, stopping at the first that fails: the result has
    the output of all of them and the exit status of the failing one (else 0).

    ``work`` (a host directory) is the chroot's ``/tmp`` (GUEST_WORK); the
    environment is only PATH, HOME=TMPDIR=/tmp, LANG, QEMU_CPU and ``env``: no
    PYTHONPATH.  Raises NativeUnavailable when this machine cannot do it.
    """
    if not ready():
        raise TargetError("the target is not set up: run 'python -m armjit.target setup'")
    reason = native_unavailable()
    if reason:
        raise NativeUnavailable(reason)
    guest_env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": GUEST_WORK,
                 "TMPDIR": GUEST_WORK, "LANG": "C.UTF-8", "QEMU_CPU": QEMU_CPU, **(env or {})}
    host_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "ARMJIT_BINFMT": BINFMT_CONF.read_text().strip(),
                "ARMJIT_WORK": str(Path(work).resolve()), "ARMJIT_ROOT": str(rootfs_dir())}
    tools = _native_tools()
    # --pid: when the run is cut short, every process of it goes with its first one.
    cmd = [tools["unshare"], "--user", "--map-root-user", "--mount", "--pid", "--fork",
           "--kill-child", "bash", "-c", _native_script(commands, guest_env)]
    proc = subprocess.Popen(cmd, env=host_env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        out, err = proc.communicate()
        raise subprocess.TimeoutExpired(cmd, timeout, out, err) from None
    if proc.returncode == _UNAVAILABLE:
        raise NativeUnavailable(f"setting up the chroot's namespace failed: {err.strip()}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)
