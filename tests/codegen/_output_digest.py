"""Digest of everything compile_dump returns that the runtime or tools consume
(code bytes, entries, landmarks, patchpoints, deopt exits, yield points,
annotations, per-instruction ranges).  Used by test_output_stable.py; run as a
script only to regenerate the pinned digests from a trusted revision:

    python -m tests.codegen._output_digest > tests/codegen/data/output_hashes.json
"""

from __future__ import annotations

import hashlib
import json

FAR_ADDRESS = 0x7F0000000000    # far from every helper: veneers for all calls


def digest(cf) -> dict:
    meta = hashlib.sha256(repr((
        sorted(cf.entries.items()),
        sorted((repr(k), v) for k, v in cf.labels.items()),
        cf.patchpoints,
        sorted(cf.deopt_exits.items()),
        cf.yield_points,
        [(a.start, a.end, a.text) for a in cf.annotations],
        [(r.block, r.index, r.start, r.end) for r in cf.ranges],
    )).encode()).hexdigest()
    return {"code": hashlib.sha256(cf.code).hexdigest(), "meta": meta}


def all_digests() -> dict:
    from armjit.codegen.function import compile_dump
    from armjit.corpus.dev import function_dirs
    out = {}
    for d in function_dirs():
        name = json.loads((d / "meta.json").read_text())["fullname"]
        out[name] = {"native": digest(compile_dump(d)),
                     "far": digest(compile_dump(d, FAR_ADDRESS))}
    return out


if __name__ == "__main__":
    print(json.dumps(all_digests(), indent=1, sort_keys=True))
