"""python -m armjit.target setup | setup-torch | run [--] ARGS... | path

``setup-torch`` adds the opt-in torch environment (PyPI's CPU aarch64 torch,
pinned; ~1 GB) to a target that ``setup`` made; ``run`` puts it on the path
only with ``ARMJIT_TARGET_TORCH=1`` in the environment.

``run`` passes every argument after it (a leading ``--`` is dropped) to the
aarch64 python3.14 and exits with its status; a child killed by signal N exits
128+N, as a shell reports it (SIGSEGV: 139).  Errors are one line on stderr
with exit status 2.
"""

import sys

from . import (TargetError, command, rootfs_dir, run, setup, setup_torch, site_dir,
               target_dir, torch_site_dir)


def exit_status(returncode: int) -> int:
    """A child's exit status as a shell reports it: 128+N when signal N killed it."""
    return 128 - returncode if returncode < 0 else returncode


def _run(args) -> int:
    args = args[1:] if args[:1] == ["--"] else args
    return exit_status(run(args).returncode)


def main(argv=None) -> int:
    from armjit.cli import Parser
    argv = sys.argv[1:] if argv is None else list(argv)
    p = Parser(prog="python -m armjit.target",
               description="The aarch64 CinderX target under qemu.")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("setup", help="build (or check) the target environment")
    sub.add_parser("setup-torch", help="add the opt-in torch environment (after setup)")
    sub.add_parser("run", help="run the aarch64 python3.14: run [--] ARGS... (every argument "
                               "after 'run' goes to python)")
    sub.add_parser("path", help="print the target's directories and command line")
    try:
        if argv[:1] == ["run"]:
            # not through argparse: python's own options (-c, -m, -X ...) follow
            return _run(argv[1:])
        ns = p.parse_args(argv)
        if ns.cmd == "setup":
            setup()
            return 0
        if ns.cmd == "setup-torch":
            setup_torch()
            return 0
        if ns.cmd == "path":
            print(f"target: {target_dir()}\nrootfs: {rootfs_dir()}\nsite:   {site_dir()}")
            print(f"torch:  {torch_site_dir()} (with ARMJIT_TARGET_TORCH=1)")
            print("command: " + " ".join(command(["..."])))
            return 0
    except (TargetError, OSError) as e:
        print(f"armjit.target: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
