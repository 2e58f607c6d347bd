"""python -m armjit.target setup | run -- ARGS... | path"""

import argparse
import sys

from . import TargetError, command, rootfs_dir, run, setup, site_dir, target_dir


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m armjit.target",
                                description="The aarch64 CinderX target under qemu.")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("setup", help="build (or check) the target environment")
    r = sub.add_parser("run", help="run the aarch64 python3.14: run -- ARGS...")
    r.add_argument("args", nargs=argparse.REMAINDER)
    sub.add_parser("path", help="print the target's directories and command line")
    ns = p.parse_args(argv)
    try:
        if ns.cmd == "setup":
            setup()
            return 0
        if ns.cmd == "path":
            print(f"target: {target_dir()}\nrootfs: {rootfs_dir()}\nsite:   {site_dir()}")
            print("command: " + " ".join(command(["..."])))
            return 0
        args = ns.args[1:] if ns.args[:1] == ["--"] else ns.args
        return run(args).returncode
    except (TargetError, OSError) as e:
        print(f"armjit.target: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
