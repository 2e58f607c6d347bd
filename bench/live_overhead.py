"""armjit's live back end end to end, as a user sees it, on the aarch64 target (qemu).

    python bench/live_overhead.py [--after-calls 1000] [--workloads stdlib,small,loop] [--repeat 1]

One fresh target process per (workload, mode), measured from the host
(interpreter start to exit: imports, compiles and the work itself), with
one threshold N (``--after-calls``; default 1000, CinderX's own
``cinderx.jit.auto()`` threshold and armjit's default):

* ``interp``:  plain CPython 3.14, cinderx not imported;
* ``cinderx``: ``cinderx.jit.compile_after_n_calls(N)`` -- CinderX's own auto mode
  (which compiles in a background thread by default);
* ``armjit``:  ``armjit.enable(auto=True, after_calls=N)`` -- CinderX's front end,
  armjit's back end for every plain function called N times;
* ``armjit-budget``: the same with ``compile_budget=0.1``: at most a tenth of
  the run spent compiling (hot functions first, the rest interpreted).

Workloads:

* ``stdlib``: json, textwrap, re, difflib, string formatting -- many library
  functions, each hot for a while (compile latency matters);
* ``small``:  400 small functions defined at run time, each called 300 times;
* ``loop``:   one long-running numeric/string loop (steady-state code quality);
* ``torch``:  ``import torch`` and a small training loop (an MLP, SGD with momentum,
  240 steps on 256 synthetic samples, one thread, oneDNN off as under qemu it
  crashes) -- run only when the opt-in torch environment is set up
  (``python -m armjit.target setup-torch``); the wall includes ``import torch``
  (~30-45 s under qemu in every mode), the ``train`` column is the loop alone.

Prints wall seconds per mode, the ratio armjit/cinderx, and armjit's own
counters (compiles, median compile latency, refusals) from ``armjit.stats()``.
Every mode must print the same result digest, or the run is reported as wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from armjit import target  # noqa: E402

MODES = ["interp", "cinderx", "armjit", "armjit-budget"]

PROLOGUE = {
    "interp": "",
    "cinderx": "import cinderx.jit as jit\njit.compile_after_n_calls({n})\n",
    "armjit": "import armjit\narmjit.enable(auto=True, after_calls={n})\nimport cinderx.jit as jit\n",
    "armjit-budget": ("import armjit\narmjit.enable(auto=True, after_calls={n}, compile_budget=0.1)\n"
                      "import cinderx.jit as jit\n"),
}

WORKLOADS = {
    "stdlib": r'''
import difflib, hashlib, json, re, string, textwrap
TEXT = ("The quick brown fox jumps over the lazy dog; pack my box with five dozen "
        "liquor jugs. ") * 8
DATA = {"k%d" % i: [i, i * 2.5, str(i), None, {"x": [True, False]}] for i in range(40)}
def work(i):
    out = []
    s = json.dumps(DATA, sort_keys=True)
    out.append(len(json.loads(s)))
    out.append(textwrap.fill(TEXT, width=40 + i % 7)[:50])
    out.append(re.findall(r"\b\w{5}\b", TEXT)[:5])
    out.append(string.Template("$a-$b").substitute(a=i, b=i * 2))
    out.append(list(difflib.unified_diff(TEXT.split()[:30], TEXT.split()[2:32], lineterm=""))[:3])
    return out
acc = [work(i) for i in range(600)]
RESULT = hashlib.sha256(repr(acc).encode()).hexdigest()[:16]
''',
    "small": r'''
import hashlib
ns = {}
exec("\n".join(f"def f{i}(a, b):\n    x = a * {i % 13} + b\n    if x % 3:\n"
               f"        return x - {i}\n    return [x, b, {i}]\n" for i in range(400)), ns)
fns = [ns[f"f{i}"] for i in range(400)]
acc = 0
for rep in range(300):
    for k, f in enumerate(fns):
        r = f(rep, k)
        acc = (acc * 31 + (r if isinstance(r, int) else sum(r))) % (1 << 61)
RESULT = str(acc)
''',
    "loop": r'''
def collatz_len(n):
    k = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        k += 1
    return k
def words(n):
    d = {}
    for i in range(n):
        w = "w" + str(i % 97)
        d[w] = d.get(w, 0) + i
    return sorted(d.items())[:3]
def run():
    best = max(range(1, 120000), key=collatz_len)
    fl = 0.0
    for i in range(1, 400000):
        fl += 1.0 / (i * i)
    return best, round(fl, 9), words(200000)
RESULT = repr(run())
''',
    "torch": r'''
import time as _time
_t0 = _time.perf_counter()
import hashlib
import torch
from torch import nn
_t1 = _time.perf_counter()
torch.manual_seed(0)
torch.set_num_threads(1)
torch.backends.mkldnn.enabled = False
X = torch.randn(256, 16)
Y = (X[:, :4].sum(1, keepdim=True) > 0).float()
model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
lossf = nn.BCEWithLogitsLoss()
losses = []
for epoch in range(30):
    for b in range(0, 256, 32):
        xb, yb = X[b:b + 32], Y[b:b + 32]
        opt.zero_grad()
        loss = lossf(model(xb), yb)
        loss.backward()
        opt.step()
    losses.append(round(loss.item(), 5))
params = [round(float(p.detach().sum()), 4) for p in model.parameters()]
RESULT = hashlib.sha256(repr((losses, params)).encode()).hexdigest()[:16]
_t2 = _time.perf_counter()
TIMES = {"import": _t1 - _t0, "train": _t2 - _t1}
''',
}

EPILOGUE = r'''
import json as _json
out = {"result": RESULT}
if "TIMES" in globals():
    out["times"] = TIMES
if "armjit" in globals():
    st = armjit.stats()
    out["armjit"] = {k: st[k] for k in ("compiled", "shared", "installed_functions",
                                        "compile_ms_median", "cinderx_ms_median",
                                        "code_bytes", "reserved_bytes")}
    out["armjit"]["refused"] = st["auto"]["refused"]
    out["armjit"]["deferred"] = st["auto"]["deferred_by_budget"]
    out["armjit"]["refusals"] = st["refusals"]
    out["armjit"]["coverage"] = st["auto"]["coverage"]
    from armjit.runtime import auto as _auto
    out["armjit"]["auto_refused"] = sorted({r[1].split(": ", 1)[-1][:90] for r in _auto.refused})
if "jit" in globals():
    out["cinderx_compiled"] = len(jit.get_compiled_functions())
print(_json.dumps(out))
'''


def run_one(workload: str, mode: str, after_calls: int) -> dict:
    src = PROLOGUE[mode].format(n=after_calls) + WORKLOADS[workload] + EPILOGUE
    t0 = time.perf_counter()
    p = target.run(["-c", src], capture_output=True, text=True, timeout=3600,
                   torch=workload == "torch")
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        return {"error": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else
                f"exit {p.returncode}", "wall": wall}
    out = json.loads(p.stdout.strip().splitlines()[-1])
    out["wall"] = wall
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workloads", default=None,
                    help="default: all, torch only when its environment is set up")
    ap.add_argument("--after-calls", type=int, default=1000,
                    help="the auto threshold of every JIT mode (default: CinderX's auto())")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs per (workload, mode), interleaved; the median is reported")
    ns = ap.parse_args(argv)
    if not target.ready():
        print("live_overhead: the target is not set up: python -m armjit.target setup",
              file=sys.stderr)
        return 2
    modes = ns.modes.split(",")
    if ns.workloads is None:
        ns.workloads = ",".join(w for w in WORKLOADS if w != "torch" or target.torch_ready())
        if not target.torch_ready():
            print("torch: the opt-in torch environment is not set up "
                  "(python -m armjit.target setup-torch); no torch workload")
    wrong = 0
    print(f"after_calls={ns.after_calls}")
    print(f"{'workload':8} " + " ".join(f"{m:>13}" for m in modes)
          + "   armjit/cinderx (each armjit mode)  armjit (no budget)")
    for wl in ns.workloads.split(","):
        runs = {m: [] for m in modes}
        for _ in range(ns.repeat):
            for m in modes:
                runs[m].append(run_one(wl, m, ns.after_calls))
        wall = {m: statistics.median(r["wall"] for r in runs[m]) for m in modes}
        results = {r.get("result", r.get("error")) for m in modes for r in runs[m]}
        same = len(results) == 1 and not any("error" in r for m in modes for r in runs[m])
        wrong += not same
        ratio = " ".join(f"{wall[m] / wall['cinderx']:.2f}x" for m in modes
                         if m.startswith("armjit") and "cinderx" in wall) or "-"
        arm = runs.get("armjit", [{}])[-1].get("armjit", {})
        bud = runs.get("armjit-budget", [{}])[-1].get("armjit", {})
        info = (f"[budget: compiled {bud.get('compiled')}, deferred {bud.get('deferred')}] "
                if bud else "") + (f"compiled {arm.get('compiled')} shared {arm.get('shared')} refused "
                f"{arm.get('refused')} compile median {arm.get('compile_ms_median') or 0:.0f} ms "
                f"(CinderX part {arm.get('cinderx_ms_median') or 0:.0f} ms)" if arm else "")
        cx_n = runs.get("cinderx", [{}])[-1].get("cinderx_compiled")
        if arm and arm.get("coverage"):
            cov = arm["coverage"]
            print(f"{'':8} coverage (no budget): armjit code runs {cov['armjit']} of the "
                  f"{cov['hot_functions']} functions auto mode compiled "
                  f"({cov['percent']} %; CinderX auto compiled {cx_n} in its own run); "
                  f"the others: {cov['not_armjit']}")
        if all("times" in r for m in modes for r in runs[m]):
            tr = {m: statistics.median(r["times"]["train"] for r in runs[m]) for m in modes}
            im = {m: statistics.median(r["times"]["import"] for r in runs[m]) for m in modes}
            print(f"{'':8} import torch: " + " ".join(f"{m} {im[m]:.1f}s" for m in modes))
            print(f"{'':8} training loop: " + " ".join(f"{m} {tr[m]:.1f}s" for m in modes)
                  + "   armjit/cinderx " + " ".join(f"{tr[m] / tr['cinderx']:.2f}x" for m in modes
                                                  if m.startswith("armjit") and "cinderx" in tr))
        print(f"{wl:8} " + " ".join(f"{wall[m]:12.2f}s" for m in modes)
              + f"   {ratio:>14}  {info}" + ("" if same else "   RESULTS DIFFER: "
                                                 + repr(sorted(map(str, results)))[:300]))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
