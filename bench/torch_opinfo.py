"""PyTorch's OpInfo database under three back ends on the aarch64 target (qemu).

    python -m armjit.target setup-torch          # once: the opt-in torch environment
    python bench/torch_opinfo.py --limit 40      # the first 40 CPU OpInfos of op_db
    python bench/torch_opinfo.py --ops add,sub,nn.functional.relu --out /tmp/ti
    python bench/torch_opinfo.py --compare-only --out DIR   # the report of a run again

For every OpInfo of ``torch.testing._internal.common_methods_invocations.op_db``
that has CPU dtypes (in op_db's order; ``--ops``, ``--start``, ``--limit``
select), one target process per mode, in this order, runs the same list:

* ``interp``:  plain CPython 3.14, cinderx not imported;
* ``cinderx``: ``cinderx.jit.compile_after_n_calls(N)`` -- CinderX's own asmjit back end;
* ``armjit``:  armjit's auto mode with ``after_calls=N`` (``armjit.enable(auto=True,
  after_calls=N)``, split in two: the log set-up before cinderx is imported,
  the hook started when the JIT starts) -- CinderX's front end, armjit's back end.

N is ``--after-calls`` (default 2: a stress setting, everything called twice is
compiled).  The JIT starts after torch and op_db are imported (``--jit-from ops``,
the default; importing op_db calls thousands of functions, which at N=2 would
cost more compile time than the ops themselves) or before anything is imported
(``--jit-from start``).

For each op: up to ``--dtypes`` (default 2) dtypes it supports on CPU, float32
first (then int64, float64, complex64, bool, ...); for each dtype the RNGs are
seeded, ``op.sample_inputs('cpu', dtype)`` is listed, and for each sample (RNGs
seeded again) ``op(sample.input, *sample.args, **sample.kwargs)`` is called
twice (``--max-samples M``: only the first M samples of each op and dtype; a few
ops have thousands).  A result's digest: tensors -> dtype, shape, layout, a hash of the bytes,
nan/+inf/-inf counts and the float64 sums (value and absolute) of the finite
values; tuples, lists and dicts element-wise; an exception -> its type and the
first line of its message (addresses masked).  Two calls whose digests differ
mark the sample nondeterministic (uninitialised memory: torch.empty...; an op
that changes its input).

Results go, one JSON line per op, to ``OUT/MODE.jsonl`` as they come (a run can
be inspected while it goes, and ``--resume`` continues one).  A process that
dies (a signal) or spends more than ``--op-timeout`` seconds in one op is ended;
its op is recorded as a crash or a timeout and a new process goes on with the
next op.  Then the three modes are compared per op, dtype and sample:

* armjit-only: armjit's digest differs from both others, which agree, and no mode
  saw the sample nondeterministic -- the goal is none;
* other: the modes differ in another way (CinderX differs too, or the sample
  is nondeterministic), listed apart;
* "close": the only difference is in values that agree to 1e-6 relative (sums).

After the OpInfos, the entries of ``common_modules.module_db`` (``--module-limit``;
0 for none) go through the same scheme, as PyTorch's test_modules.py test_forward
does them: each ModuleInput of ``module_inputs_func(..., training=False)`` ->
construct the module (seeded), ``.to(dtype)``, eval mode, call it; the digest
covers the output and the module's state_dict.

Everything runs one target process at a time; OMP/torch threads are set to 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MODES = ["interp", "cinderx", "armjit"]
DTYPE_ORDER = ["float32", "int64", "float64", "complex64", "bool", "int32", "bfloat16",
               "float16", "uint8", "int8", "int16", "complex128"]


# =================================================================== the worker
# Runs on the target (aarch64 python3.14 with torch); python bench/torch_opinfo.py --worker ...

def _worker(a) -> int:
    t_start = time.perf_counter()
    mode = a.worker
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    start_jit = None
    n_compiled = lambda: None       # noqa: E731
    if mode == "armjit":
        import armjit
        from armjit.runtime import auto as _auto
        _auto.prepare_env()
        armjit.enable()                  # CinderX's LIR log; cinderx imported here
        import cinderx.jit as jit

        def start_jit():
            _auto.start(a.after_calls)

        def n_compiled():
            return len(_auto.compiled)
    elif mode == "cinderx":
        import cinderx.jit as jit

        def start_jit():
            jit.compile_after_n_calls(a.after_calls)

        def n_compiled():
            return len(jit.get_compiled_functions())
    elif mode != "interp":
        raise SystemExit(f"unknown mode {mode}")
    if start_jit is not None and a.jit_from == "start":
        start_jit()
        start_jit = None
    import warnings
    warnings.simplefilter("ignore")
    import itertools
    import random
    import torch
    torch.set_num_threads(1)
    import numpy as np
    from torch.testing._internal.common_methods_invocations import op_db
    items = [(op_key(op), op, "op") for op in select_ops(op_db, a)]
    if a.module_limit != 0:
        from torch.testing._internal.common_modules import module_db
        items += [(module_key(mi), mi, "module") for mi in select_modules(module_db, a)]
    t_imported = time.perf_counter()
    keys = [k for k, _, _ in items]
    out = open(a.out_file, "a")

    def emit(rec):
        out.write(json.dumps(rec, separators=(",", ":")) + "\n")
        out.flush()

    if a.from_index == 0:
        emit({"kind": "header", "mode": mode, "keys": keys, "after_calls": a.after_calls,
              "jit_from": a.jit_from, "torch": torch.__version__})
    emit({"kind": "process", "pid": os.getpid(), "from_index": a.from_index,
          "import_s": round(t_imported - t_start, 1)})
    if start_jit is not None:
        start_jit()

    def seed(n):
        torch.manual_seed(n)
        random.seed(n)
        np.random.seed(n)

    def twice(j, call):
        """The digests of two calls (RNGs seeded alike); nd when they differ."""
        digests = []
        for _ in range(2):
            seed(1000 + j)
            try:
                d = digest(call())
            except Exception as e:
                d = {"exc": exc_digest(e)}
            digests.append(d)
        r = {"d": digests[0]}
        if digests[1] != digests[0]:
            r["nd"] = 1
        return r

    for i in range(a.from_index, len(items)):
        key, info, kind = items[i]
        emit({"kind": "begin", "i": i, "key": key})
        t0 = time.perf_counter()
        rec = {"kind": "op", "i": i, "key": key, "dtypes": {}}
        for dt in pick_dtypes(info, a.dtypes):
            seed(0)
            entry = rec["dtypes"][str(dt).replace("torch.", "")] = {}
            try:
                if kind == "op":
                    gen = info.sample_inputs("cpu", dt, requires_grad=False)
                else:
                    gen = (mi for mi in info.module_inputs_func(
                        info, device="cpu", dtype=dt, requires_grad=False, training=False)
                        if mi.forward_input is not None)
                samples = list(itertools.islice(gen, a.max_samples))
            except Exception as e:
                entry["gen_error"] = exc_digest(e)
                continue
            entry["samples"] = res = []
            for j, s in enumerate(samples):
                if kind == "op":
                    r = twice(j, lambda: info(s.input, *s.args, **s.kwargs))
                    r["desc"] = describe_sample(s)
                else:
                    r = twice(j, lambda: run_module(info, s, dt))
                    r["desc"] = describe_module_input(s)
                res.append(r)
        rec["wall"] = round(time.perf_counter() - t0, 2)
        nc = n_compiled()
        if nc is not None:
            rec["nc"] = nc      # functions compiled so far (armjit: its compiled list)
        emit(rec)
    tail = {"kind": "end", "wall": round(time.perf_counter() - t_start, 1)}
    if mode == "cinderx":
        tail["compiled"] = len(jit.get_compiled_functions())
    elif mode == "armjit":
        st = armjit.stats()
        tail.update(compiled=len(_auto.compiled), shared=len(_auto.shared),
                    refused=len(_auto.refused), refused_sample=_auto.refused[:10],
                    coverage=st.get("auto", {}).get("coverage"),
                    compiled_names=list(_auto.compiled))    # in order: "nc" indexes it
    emit(tail)
    out.close()
    return 0


def op_key(op) -> str:
    return op.name + ("." + op.variant_test_name if op.variant_test_name else "")


def select_ops(op_db, a):
    ops = [op for op in op_db if op.supported_dtypes("cpu")]
    if a.ops:
        want = set(a.ops.split(","))
        ops = [op for op in ops if op.name in want or op_key(op) in want]
    ops = ops[a.start:]
    if a.limit is not None:
        ops = ops[:a.limit]
    return ops


def module_key(mi) -> str:
    return "module:" + mi.name


def select_modules(module_db, a):
    mods = [mi for mi in module_db if mi.supported_dtypes("cpu")]
    if a.ops:
        want = set(a.ops.split(","))
        mods = [mi for mi in mods if mi.name in want or module_key(mi) in want]
    if a.module_limit is not None and a.module_limit >= 0:
        mods = mods[:a.module_limit]
    return mods


def run_module(mi, s, dtype):
    """As PyTorch's test_modules.py test_forward: construct, cast, eval mode, call."""
    c, f = s.constructor_input, s.forward_input
    m = mi.module_cls(*c.args, **c.kwargs)
    m.to("cpu").to(dtype)
    m.train(False)
    out = m(*f.args, **f.kwargs)
    return {"out": out, "state": dict(m.state_dict())}


def describe_module_input(s) -> str:
    c, f = s.constructor_input, s.forward_input
    parts = [_brief(v) for v in c.args] + [f"{k}={_brief(v)}" for k, v in c.kwargs.items()]
    parts.append("|")
    parts += [_brief(v) for v in f.args] + [f"{k}={_brief(v)}" for k, v in f.kwargs.items()]
    return (s.desc + ": " if s.desc else "") + " ".join(parts)[:240]


def pick_dtypes(op, n):
    import torch
    have = op.supported_dtypes("cpu")
    order = [getattr(torch, name) for name in DTYPE_ORDER]
    chosen = [dt for dt in order if dt in have]
    chosen += sorted((dt for dt in have if dt not in order), key=str)
    return chosen[:n]


_HEX = None


def _mask(text: str) -> str:
    global _HEX
    if _HEX is None:
        import re
        _HEX = re.compile(r"0x[0-9a-fA-F]{6,}")
    return _HEX.sub("0x?", text)


def exc_digest(e) -> str:
    msg = str(e).strip().splitlines()
    return _mask(f"{type(e).__name__}: {msg[0] if msg else ''}")[:300]


def tensor_digest(t):
    import hashlib
    import torch
    t = t.detach()
    d = {"t": str(t.dtype).replace("torch.", ""), "s": list(t.shape)}
    if t.layout != torch.strided:
        d["l"] = str(t.layout).replace("torch.", "")
        t = t.to_dense()
    if t.is_quantized:
        t = t.int_repr()
    t = t.resolve_conj().resolve_neg().contiguous()
    flat = t.reshape(-1)
    raw = (flat.to(torch.uint8) if flat.dtype == torch.bool else flat).view(torch.uint8)
    d["h"] = hashlib.sha1(raw.numpy().tobytes()).hexdigest()[:16]
    if flat.is_floating_point() or flat.is_complex():
        v = flat.to(torch.complex128 if flat.is_complex() else torch.float64)
        parts = (v.real, v.imag) if flat.is_complex() else (v,)
        nan = pinf = ninf = 0
        tot, atot = [], []
        for p in parts:
            nan += int(torch.isnan(p).sum())
            pinf += int(torch.isposinf(p).sum())
            ninf += int(torch.isneginf(p).sum())
            fin = p[torch.isfinite(p)]
            tot.append(float(fin.sum()))
            atot.append(float(fin.abs().sum()))
        if nan or pinf or ninf:
            d["nif"] = [nan, pinf, ninf]
        d["sum"] = tot
        d["abs"] = atot
    elif flat.numel():
        d["sum"] = [int(flat.to(torch.int64).sum())]
    return d


def digest(x, depth=0):
    import torch
    if depth > 20:
        return "<deep>"
    if isinstance(x, torch.Tensor):
        return tensor_digest(x)
    if isinstance(x, (tuple, list)):
        return {"seq": type(x).__name__, "v": [digest(e, depth + 1) for e in x]}
    if isinstance(x, dict):
        return {"dict": [[str(k), digest(v, depth + 1)] for k, v in x.items()]}
    if x is None or isinstance(x, (bool, int, str)):
        return x
    if isinstance(x, (float, complex)):
        return repr(x)
    if isinstance(x, (torch.dtype, torch.Size, torch.device, torch.layout)):
        return str(x)
    return {"obj": type(x).__name__, "r": _mask(repr(x))[:200]}


def _brief(x):
    import torch
    if isinstance(x, torch.Tensor):
        return f"T{str(x.dtype).replace('torch.', '')}{list(x.shape)}"
    if isinstance(x, (tuple, list)):
        inner = ",".join(_brief(e) for e in x[:6])
        return ("(" if isinstance(x, tuple) else "[") + inner + (",..." if len(x) > 6 else "") \
            + (")" if isinstance(x, tuple) else "]")
    return _mask(repr(x))[:40]


def describe_sample(s) -> str:
    parts = [_brief(s.input)] + [_brief(v) for v in s.args] + \
        [f"{k}={_brief(v)}" for k, v in s.kwargs.items()]
    return " ".join(parts)[:240]


# ===================================================================== the host

def _read_jsonl(path):
    recs = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    recs.append(json.loads(line))
                except ValueError:
                    pass        # a line cut by a killed process
    except FileNotFoundError:
        pass
    return recs


def _progress(path):
    """(header, index of the next op to run, index of an op begun but not finished)."""
    header, done, begun = None, -1, None
    for r in _read_jsonl(path):
        k = r.get("kind")
        if k == "header":
            header = r
        elif k == "begin":
            begun = r["i"]
        elif k == "op":
            done = max(done, r["i"])
            if begun == r["i"]:
                begun = None
    return header, done + 1, begun


def _worker_args(a, mode, out_file, from_index):
    args = [os.path.abspath(__file__), "--worker", mode, "--out-file", out_file,
            "--from-index", str(from_index), "--after-calls", str(a.after_calls),
            "--jit-from", a.jit_from, "--dtypes", str(a.dtypes), "--start", str(a.start)]
    if a.max_samples is not None:
        args += ["--max-samples", str(a.max_samples)]
    if a.ops:
        args += ["--ops", a.ops]
    if a.limit is not None:
        args += ["--limit", str(a.limit)]
    args += ["--module-limit", str(a.module_limit)]
    return args


def run_mode(a, mode) -> dict:
    """Run (or continue) one mode until every selected op has a record."""
    sys.path.insert(0, os.path.dirname(HERE))
    from armjit import target
    out_file = os.path.join(a.out, f"{mode}.jsonl")
    restarts, procs, last_nxt = 0, 0, None
    t0 = time.perf_counter()
    while True:
        header, nxt, begun = _progress(out_file)
        if begun is not None:
            # the previous process died in op `begun`: record it and go on after it
            with open(out_file, "a") as f:
                f.write(json.dumps({"kind": "op", "i": begun, "key": header["keys"][begun],
                                    "crash": _last_exit.get(mode, "process ended"),
                                    "dtypes": {}}) + "\n")
            continue
        if header is not None and nxt >= len(header["keys"]):
            break
        if procs and (header is None or nxt == last_nxt):
            raise SystemExit(f"{mode}: the worker made no progress ({_last_exit.get(mode)}); "
                             f"see {out_file}.stderr")
        last_nxt = nxt
        procs += 1
        restarts += procs > 1
        print(f"[{mode}] process {procs} from op {nxt}", flush=True)
        _last_exit[mode] = _run_worker(target, a, mode, out_file, nxt)
    return {"processes": procs, "wall": round(time.perf_counter() - t0, 1)}


_last_exit: dict = {}


def _run_worker(target, a, mode, out_file, from_index) -> str:
    import signal
    import subprocess
    err = open(out_file + ".stderr", "a")
    cmd = target.command(_worker_args(a, mode, out_file, from_index))
    env = target._env_for_target(torch=True)
    env["OMP_NUM_THREADS"] = "1"
    p = subprocess.Popen(cmd, env=env, stdout=err, stderr=err, cwd="/tmp",
                         start_new_session=True)
    last = (None, time.monotonic())
    why = None
    while p.poll() is None:
        time.sleep(2)
        _h, nxt, begun = _progress(out_file)
        cur = (begun, nxt)
        if cur != last[0]:
            last = (cur, time.monotonic())
            if begun is not None and a.verbose:
                print(f"[{mode}]   op {begun}", flush=True)
        elif begun is not None and time.monotonic() - last[1] > a.op_timeout:
            why = f"timeout: more than {a.op_timeout:.0f} s in this op"
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        elif begun is None and time.monotonic() - last[1] > a.op_timeout + 600:
            why = "timeout: no progress (start-up)"
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    err.close()
    if why:
        return why
    rc = p.returncode
    return f"signal {-rc}" if rc < 0 else f"exit {rc}"


# ------------------------------------------------------------------ comparison

def _load(a, mode):
    recs = _read_jsonl(os.path.join(a.out, f"{mode}.jsonl"))
    ops, header, ends, procs = {}, None, [], []
    for r in recs:
        k = r.get("kind")
        if k == "op":
            ops.setdefault(r["key"], r)
        elif k == "header" and header is None:
            header = r
        elif k == "end":
            ends.append(r)
        elif k == "process":
            procs.append(r)
    return {"ops": ops, "header": header, "ends": ends, "procs": procs}


def _close(x, y, rel=1e-6):
    """Equal but for tensor hashes and sums that agree to ``rel``."""
    if type(x) is not type(y):
        return False
    if isinstance(x, dict):
        if x.keys() != y.keys():
            return False
        for k in x:
            if k == "h":
                continue
            if k in ("sum", "abs"):
                for u, v in zip(x[k], y[k]):
                    if abs(u - v) > rel * max(1.0, abs(u), abs(v)):
                        return False
                continue
            if not _close(x[k], y[k], rel):
                return False
        return True
    if isinstance(x, list):
        return len(x) == len(y) and all(_close(u, v, rel) for u, v in zip(x, y))
    return x == y


def compare(a, modes):
    data = {m: _load(a, m) for m in modes}
    keys = None
    for m in modes:
        h = data[m]["header"]
        if h is not None:
            keys = h["keys"] if keys is None or len(h["keys"]) > len(keys) else keys
    keys = keys or []
    counts = {m: {"ops": 0, "samples": 0, "exceptions": 0, "gen_errors": 0, "crashed_ops": 0,
                  "nondeterministic": 0} for m in modes}
    armjit_only, other, close = [], [], []
    for key in keys:
        recs = {m: data[m]["ops"].get(key) for m in modes}
        for m, r in recs.items():
            if r is None:
                continue
            c = counts[m]
            c["ops"] += 1
            if "crash" in r:
                c["crashed_ops"] += 1
            for dt, e in r["dtypes"].items():
                if "gen_error" in e:
                    c["gen_errors"] += 1
                for s in e.get("samples", []):
                    c["samples"] += 1
                    c["exceptions"] += isinstance(s["d"], dict) and "exc" in s["d"]
                    c["nondeterministic"] += bool(s.get("nd"))
        if any(r is None for r in recs.values()):
            continue
        # per (dtype, sample) the modes' digests
        units = {}
        for m, r in recs.items():
            if "crash" in r:
                units.setdefault(("<process>",), {})[m] = ({"crash": r["crash"]}, False, "")
                continue
            units.setdefault(("<process>",), {})[m] = ("ok", False, "")
            for dt, e in r["dtypes"].items():
                if "gen_error" in e:
                    units.setdefault((dt, "<samples>"), {})[m] = (e["gen_error"], False, "")
                    continue
                units.setdefault((dt, "<samples>"), {})[m] = (len(e["samples"]), False, "")
                for j, s in enumerate(e["samples"]):
                    units.setdefault((dt, j), {})[m] = (s["d"], bool(s.get("nd")), s["desc"])
        # an op with a nondeterministic sample in any mode (uninitialised memory:
        # empty_like ...) may show different values in a sample where no
        # mode's two calls happened to differ: its differences are not counted
        # as armjit's
        op_nd = any(per_m[1] for per in units.values() for per_m in per.values())
        for unit, per in sorted(units.items(), key=lambda kv: str(kv[0])):
            if len(per) < len(modes):
                other.append({"op": key, "unit": list(unit), "why": "missing in some mode",
                              "modes": sorted(per)})
                continue
            vals = {m: per[m][0] for m in modes}
            if all(vals[m] == vals[modes[0]] for m in modes):
                continue
            nd = any(per[m][1] for m in modes) or (op_nd and "op")
            item = {"op": key, "unit": list(unit), "desc": next(
                (per[m][2] for m in modes if per[m][2]), ""),
                "digests": {m: vals[m] for m in modes}, "nondeterministic": nd}
            if "armjit" in modes and len(modes) == 3:
                base = [m for m in modes if m != "armjit"]
                if (vals[base[0]] == vals[base[1]] and vals["armjit"] != vals[base[0]]
                        and not nd):
                    item["close"] = _close(vals["armjit"], vals[base[0]])
                    (close if item["close"] else armjit_only).append(item)
                    continue
            other.append(item)
    return {"keys": len(keys), "keys_list": keys, "counts": counts, "armjit_only": armjit_only,
            "armjit_only_close": close, "other": other, "data": data}


def _short(d, n=300):
    s = json.dumps(d, separators=(",", ":"))
    return s if len(s) <= n else s[:n] + "..."


def report(a, modes, runs=None):
    res = compare(a, modes)
    n_mod = sum(1 for k in res["keys_list"] if k.startswith("module:"))
    print(f"\nselected: {res['keys']} ({res['keys'] - n_mod} OpInfos, {n_mod} module_db entries)")
    for m in modes:
        c = res["counts"][m]
        d = res["data"][m]
        end = d["ends"][-1] if d["ends"] else {}
        extra = ""
        if m == "cinderx" and "compiled" in end:
            extra = f" compiled={end['compiled']}"
        elif m == "armjit" and "compiled" in end:
            cov = end.get("coverage") or {}
            extra = (f" compiled={end['compiled']} shared={end['shared']} "
                     f"refused={end['refused']} coverage={cov.get('armjit')}/"
                     f"{cov.get('hot_functions')}")
        imp = [p["import_s"] for p in d["procs"]]
        wall = (runs or {}).get(m, {}).get("wall")
        op_wall = sum(r.get("wall", 0) for r in d["ops"].values())
        print(f"  {m:8} ops={c['ops']} samples={c['samples']} exceptions={c['exceptions']} "
              f"gen_errors={c['gen_errors']} nondet={c['nondeterministic']} "
              f"crashed_ops={c['crashed_ops']} processes={len(d['procs'])}{extra} "
              f"import={'+'.join(f'{x:.0f}' for x in imp)}s ops_wall={op_wall:.0f}s"
              + (f" wall={wall:.0f}s" if wall else ""))
    print(f"\narmjit-only differences: {len(res['armjit_only'])}"
          + (f" (and {len(res['armjit_only_close'])} within 1e-6)"
             if res["armjit_only_close"] else ""))
    for it in res["armjit_only"] + res["armjit_only_close"]:
        print(f"  {it['op']} {it['unit']} close={it.get('close')} sample: {it['desc']}")
        for m in modes:
            print(f"      {m:8} {_short(it['digests'][m])}")
    print(f"\nother differences (CinderX too, nondeterministic, or missing): {len(res['other'])}")
    for it in res["other"][:a.show_other]:
        print(f"  {it['op']} {it['unit']} nd={it.get('nondeterministic')} "
              f"{it.get('why', '')} {it.get('desc', '')}")
        for m in modes:
            if "digests" in it:
                print(f"      {m:8} {_short(it['digests'][m], 200)}")
    if len(res["other"]) > a.show_other:
        print(f"  ... {len(res['other']) - a.show_other} more")
    if "armjit" in modes:
        end = res["data"]["armjit"]["ends"]
        ref = [x for e in end for x in e.get("refused_sample", [])]
        if ref:
            print("\narmjit refusals (sample):")
            for name, why in ref[:10]:
                print(f"  {name}: {why[:160]}")
    summary = {k: v for k, v in res.items() if k not in ("data", "keys_list")}
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ops", help="comma-separated op names (or name.variant)")
    ap.add_argument("--start", type=int, default=0, help="skip the first K selected ops")
    ap.add_argument("--limit", type=int, help="at most K OpInfos (after --start)")
    ap.add_argument("--module-limit", type=int, default=-1,
                    help="at most K module_db entries after the OpInfos (default all; 0: none)")
    ap.add_argument("--dtypes", type=int, default=2, help="dtypes per op (float32 first)")
    ap.add_argument("--max-samples", type=int, default=None,
                    help="the first M samples of each op and dtype (default all)")
    ap.add_argument("--after-calls", type=int, default=2)
    ap.add_argument("--jit-from", choices=["ops", "start"], default="ops")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--out", default="/tmp/torch_opinfo", help="directory of the JSON lines")
    ap.add_argument("--resume", action="store_true", help="continue the run in --out")
    ap.add_argument("--compare-only", action="store_true")
    ap.add_argument("--op-timeout", type=float, default=600)
    ap.add_argument("--show-other", type=int, default=40)
    ap.add_argument("-v", "--verbose", action="store_true")
    # the worker's own (on the target)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--out-file", help=argparse.SUPPRESS)
    ap.add_argument("--from-index", type=int, default=0, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        return _worker(a)
    modes = a.modes.split(",")
    if not a.compare_only:
        os.makedirs(a.out, exist_ok=True)
        if not a.resume:
            for m in modes:
                for suffix in ("", ".stderr"):
                    try:
                        os.unlink(os.path.join(a.out, f"{m}.jsonl{suffix}"))
                    except FileNotFoundError:
                        pass
        runs = {}
        for m in modes:
            runs[m] = run_mode(a, m)
            print(f"[{m}] done in {runs[m]['wall']:.0f} s ({runs[m]['processes']} process(es))",
                  flush=True)
        with open(os.path.join(a.out, "runs.json"), "w") as f:
            json.dump({"argv": sys.argv[1:], "runs": runs}, f, indent=1)
    else:
        try:
            with open(os.path.join(a.out, "runs.json")) as f:
                runs = json.load(f)["runs"]
        except (OSError, ValueError, KeyError):
            runs = None
    report(a, modes, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
