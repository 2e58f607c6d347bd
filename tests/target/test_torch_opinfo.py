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


def test_import_torch_and_train_under_armjit_auto():
    """`import torch` (pdb -> asyncio on the way) under armjit's auto mode, then a
    few training steps: the same digest as interpreted.  Before armjit deferred
    its first compile to after the program's imports, the import failed
    (NameError: name 'base_events' is not defined)."""
    body = ("import hashlib, torch\n"
            "torch.manual_seed(0); torch.set_num_threads(1)\n"
            "m = torch.nn.Linear(8, 1); opt = torch.optim.SGD(m.parameters(), lr=0.1)\n"
            "x = torch.randn(64, 8); y = x.sum(1, keepdim=True)\n"
            "for _ in range(30):\n"
            "    opt.zero_grad(); l = ((m(x) - y) ** 2).mean(); l.backward(); opt.step()\n"
            "print(hashlib.sha256(repr([round(float(p.detach().sum()), 5) for p in m.parameters()]).encode()).hexdigest())\n")
    outs = []
    for pro in ("", "import armjit\narmjit.enable(auto=True, after_calls=50)\n"):
        p = target.run(["-c", pro + body], capture_output=True, text=True, timeout=1800, torch=True)
        assert p.returncode == 0, p.stderr[-3000:]
        outs.append(p.stdout.split()[-1])
    assert outs[0] == outs[1]
