import re

from armjit.corpus.dev import corpus_dir
from armjit.disasm import main

D = str(corpus_dir() / "string/Formatter.check_unused_args")


def test_listing(capsys):
    assert main([D]) == 0
    out = capsys.readouterr().out
    assert "Reentry with processed args\n  0x00005502e29c70:        stp x29, x30, [sp, #-0x10]!" in out
    assert "\nKeyword argument dispatch\n" in out
    assert "\nLoadFrame\n" in out
    assert "  0x00005502e29d88:        ret" in out
    assert len(re.findall(r"^  0x[0-9a-f]{14}:", out, re.M)) == 336 // 4


def test_diff(capsys):
    assert main([D, "--diff"]) == 0
    out = capsys.readouterr().out
    assert "== Check if called with correct argcount" in out
    line = [l for l in out.splitlines() if "cmp w2, #4" in l][0]
    # both columns hold the same instruction at the same address
    assert line.count("0x00005502e29c94:        cmp w2, #4") == 2
