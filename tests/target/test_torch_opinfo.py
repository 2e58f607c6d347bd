"""The opt-in torch environment and bench/torch_opinfo.py on the target.

Deselected unless pytest is given --run-torch (tests/conftest.py); then they need
'python -m armjit.target setup-torch' and fail (never skip) without it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from armjit import target

pytestmark = [pytest.mark.target, pytest.mark.torch]

ROOT = Path(__file__).resolve().parents[2]


def test_torch_env_is_set_up():
    assert target.torch_ready(), "run 'python -m armjit.target setup-torch' first"


def test_torch_only_when_asked():
    probe = "import importlib.util as u; print(u.find_spec('torch') is not None)"
    env = {k: v for k, v in os.environ.items() if k != target.TORCH_ENV_FLAG}
    without = target.run(["-c", probe], capture_output=True, text=True, env=env)
    assert without.stdout.split() == ["False"], without.stderr
    with_ = target.run(["-c", probe], capture_output=True, text=True, torch=True)
    assert with_.stdout.split() == ["True"], with_.stderr


def test_torch_and_op_db_import():
    info = target.check_torch()
    assert info["torch"].startswith(target.TORCH_VERSION)
    assert info["op_db"] > 500


def test_opinfo_bench_three_modes(tmp_path):
    """Three ops through all three modes: same samples, no armjit-only difference."""
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "torch_opinfo.py"),
                        "--ops", "add,nn.functional.relu,linalg.norm", "--out", str(tmp_path)],
                       capture_output=True, text=True, timeout=1800, cwd=ROOT)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    summary = json.loads((tmp_path / "summary.json").read_text())
    counts = summary["counts"]
    assert counts["interp"]["samples"] > 20
    assert {c["samples"] for c in counts.values()} == {counts["interp"]["samples"]}
    assert all(c["crashed_ops"] == 0 for c in counts.values())
    assert summary["armjit_only"] == [], summary["armjit_only"]
