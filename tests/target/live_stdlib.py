"""Run stdlib workloads before and after armjit compiles every function of their modules.

Executed on the target by tests/target/test_live_stdlib.py; prints one JSON line.
``--check-facts``: CinderX also logs its asm listing and every compile's
process facts (armjit.runtime.process) must equal the listing's.
"""

import json
import os
import sys

import armjit

CHECK = "--check-facts" in sys.argv
armjit.enable(check_facts=CHECK)

import cinderx.jit  # noqa: E402,F401  (after enable: CinderX reads its flags at import)
import colorsys  # noqa: E402
import fnmatch  # noqa: E402
import heapq  # noqa: E402
import json.decoder  # noqa: E402
import json.encoder  # noqa: E402
import posixpath  # noqa: E402
import shlex  # noqa: E402
import string  # noqa: E402
import textwrap  # noqa: E402

from armjit.corpus._collect import functions_of  # noqa: E402

MODULES = [colorsys, fnmatch, heapq, json, json.decoder, json.encoder, posixpath, shlex,
           string, textwrap]

TEXT = ("The quick brown fox jumps over the lazy dog. " * 7 + "Lorem ipsum dolor sit amet, "
        "consectetur adipiscing elit.  ") * 3
DATA = {"a": [1, 2.5, None, True, "x\u00e9\n"], "b": {"c": list(range(20)), "d": "q\"uote"},
        "e": [[], {}, [{"f": -1e300}]]}


def workload():
    out = []
    out.append(textwrap.fill(TEXT, width=37))
    out.append(textwrap.shorten(TEXT, width=60, placeholder=" [...]"))
    out.append(textwrap.dedent("    a\n      b\n    c\n"))
    out.append(textwrap.indent("x\n\ny\n", "> "))
    out.append(json.dumps(DATA, sort_keys=True, indent=2))
    out.append(json.dumps(DATA, separators=(",", ":"), ensure_ascii=False))
    out.append(repr(json.loads(json.dumps(DATA))))
    out.append(repr(json.loads('{"k": [1, 2, {"z": "\\u00e9"}], "n": -0.5e3}')))
    out.append(shlex.split("a 'b c' \"d e\" f\\ g # not a comment", comments=False))
    out.append(shlex.join(["a b", "c", "d'e"]))
    out.append([fnmatch.fnmatch(n, p) for n in ("a.py", "b.txt", "c.PY")
                for p in ("*.py", "?.txt", "[ab].*")])
    out.append(fnmatch.translate("a*b?[!c]"))
    out.append([posixpath.join("/a", "b", "../c"), posixpath.normpath("/a/./b/../c//d"),
                posixpath.relpath("/a/b/c", "/a/d"), posixpath.splitext("x.tar.gz"),
                posixpath.commonpath(["/a/b/c", "/a/b/d"]), posixpath.basename("/x/y")])
    out.append([colorsys.rgb_to_hsv(0.2, 0.4, 0.6), colorsys.hls_to_rgb(0.5, 0.5, 0.5),
                colorsys.rgb_to_yiq(1, 0, 0)])
    h = []
    for v in [5, 3, 8, 1, 9, 2]:
        heapq.heappush(h, v)
    out.append([heapq.heappop(h) for _ in range(3)] + heapq.nlargest(2, [4, 7, 1, 9]))
    # heapq.merge: a generator (armjit's own resume entry and GenYieldPoints)
    out.append(list(heapq.merge([1, 4, 7], [2, 5, 8], [3, 6, 9])))
    out.append(list(heapq.merge(["bb", "a"], ["ccc", "d"], key=len, reverse=True)))
    out.append(string.Template("$who likes $what").substitute(who="tim", what="kung pao"))
    out.append(string.Formatter().format("{0:>5}|{1!r}|{x}", 42, "s", x=1.5))
    out.append(string.capwords(" hello   world "))
    return [repr(v) for v in out]


want = workload()
compiled, refused = [], []
for mod in MODULES:
    for qualname, fn in functions_of(mod):
        try:
            armjit.compile(fn)
            compiled.append(f"{mod.__name__}:{qualname}")
        except armjit.LiveJITError as e:
            refused.append([f"{mod.__name__}:{qualname}", str(e)[:120]])
got = workload()
got2 = workload()
from armjit.runtime import live  # noqa: E402
rt = live.runtime()
print(json.dumps({"compiled": compiled, "refused": refused, "same": got == want,
                  "facts_checked": rt.facts_checked, "asm_dump": bool(os.environ.get(
                      "CINDERX_JIT_DUMP_ASM")),
                  "helpers": {k: hex(v) for k, v in rt.process.helpers.items()},
                  "same_again": got2 == want,
                  "diff": [[w, g] for w, g in zip(want, got) if w != g][:3]}))
sys.stdout.flush()
