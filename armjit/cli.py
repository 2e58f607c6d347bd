"""What armjit's command-line tools share: errors are ONE line on stderr
(``prog: message``), exit status 2 for bad usage or bad input, never a
traceback for input armjit refuses."""

from __future__ import annotations

import argparse
import sys

__all__ = ["Parser", "fail", "describe", "write_stdout"]

USAGE_ERROR = 2


class Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line: ``PROG: error: MESSAGE (see --help)``."""

    def error(self, message):
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (see --help)\n")


def fail(prog: str, message: str, status: int = USAGE_ERROR) -> int:
    """Print ``prog: message`` (newlines folded) to stderr; return ``status``."""
    print(f"{prog}: {' '.join(str(message).split())}", file=sys.stderr)
    return status


def describe(e: BaseException, fdir=None) -> str:
    """One line for an armjit refusal of the function directory ``fdir``: the
    file, the kind of refusal and the message."""
    from armjit.errors import DumpError
    from armjit.lir import LIRParseError, LIRVerifyError
    if isinstance(e, DumpError):
        return " ".join(str(e).split())         # names its file already
    where = fdir
    if fdir is not None and isinstance(e, (LIRParseError, LIRVerifyError)):
        where = f"{fdir}/postalloc.lir"
    prefix = f"{where}: " if where is not None else ""
    return f"{prefix}{type(e).__name__}: {' '.join(str(e).split())}"


def write_stdout(text: str) -> int:
    """Write ``text`` to stdout; 0, or 141 (128 + SIGPIPE, as a shell reports a
    process the signal killed) when the reader went away (``| head``) --
    quietly, not with a BrokenPipeError traceback."""
    import os
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at /dev/null first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    return 0
