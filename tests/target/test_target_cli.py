"""``python -m armjit.target run``: arguments with or without ``--``, and a child
killed by a signal exits 128+N as a shell reports it."""

import subprocess
import sys

import pytest

from armjit.target import __main__ as cli


def test_exit_status_is_the_shells():
    assert cli.exit_status(0) == 0
    assert cli.exit_status(7) == 7
    assert cli.exit_status(-11) == 139        # SIGSEGV (was 245: sys.exit(-11))
    assert cli.exit_status(-9) == 137


def test_run_without_double_dash_passes_everything(monkeypatch):
    seen = []

    class P:
        returncode = -11

    monkeypatch.setattr(cli, "run", lambda args: seen.append(list(args)) or P)
    assert cli.main(["run", "-c", "print(1)"]) == 139
    assert cli.main(["run", "--", "-c", "print(1)", "--", "x"]) == 139
    assert seen == [["-c", "print(1)"], ["-c", "print(1)", "--", "x"]]


def _target(*args):
    return subprocess.run([sys.executable, "-m", "armjit.target", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.target
def test_run_dash_c_without_double_dash():
    p = _target("run", "-c", "import sys; print(sys.argv[1:]); sys.exit(3)", "a", "--", "b")
    assert (p.returncode, p.stdout) == (3, "['a', '--', 'b']\n")


@pytest.mark.target
def test_sigsegv_exits_139():
    p = _target("run", "--", "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    assert p.returncode == 139, p.stderr


def test_usage_error_is_one_line():
    p = _target("frob")
    assert p.returncode == 2
    # (argparse's quoting of the choices differs between Python versions)
    assert p.stderr.startswith("python -m armjit.target: error: argument cmd: invalid choice: "
                               "'frob' (choose from ")
    assert p.stderr.endswith(" (see --help)\n") and p.stderr.count("\n") == 1
