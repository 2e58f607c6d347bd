"""Performance work on armjit.codegen / armjit.lir / armjit.emit must not change
what is emitted: every dev-corpus function's code bytes (at its CinderX address
and at a far address, where every call goes through a veneer) and the runtime
metadata (entries, landmarks, patchpoints, deopt exits, yield points,
annotations, instruction ranges) must hash to the digests pinned in
data/output_hashes.json, which were computed with the code as of commit
097d7ce, before the emission-speed changes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.codegen._output_digest import all_digests

PINNED = json.loads((Path(__file__).parent / "data" / "output_hashes.json").read_text())


def test_every_corpus_function_is_byte_identical():
    got = all_digests()
    assert sorted(got) == sorted(PINNED)
    changed = [(name, kind, part) for name in PINNED for kind in ("native", "far")
               for part in ("code", "meta") if got[name][kind][part] != PINNED[name][kind][part]]
    assert changed == [], f"{len(changed)} digests changed, first: {changed[:5]}"
