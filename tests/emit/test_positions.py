"""Assembler.position / annotate_span / FinalCode.offset_at: a position is
where a label bound at that moment would be, also after branch relaxation
moved code (armjit.codegen records one per LIR instruction)."""

from __future__ import annotations

import pytest

from armjit.emit import X, Assembler
from armjit.emit.errors import LabelError


def _code(far: bool):
    a = Assembler(base=0x10000)
    target = a.new_label("target")
    p0 = a.position()
    l0 = a.here()
    a.cbz(X[0], target)                    # widened to cbnz +8; b target when far
    p1 = a.position()
    l1 = a.here()
    a.add(X[1], X[1], 1)
    if far:
        a.bytes(bytes(1 << 20))            # beyond cbz's +-1 MiB
    p2 = a.position()
    a.bind(target)
    a.ret()
    a.annotate_span(p1, p2, "body")
    return a.finalize(), (p0, p1, p2), (l0, l1, target)


@pytest.mark.parametrize("far", [False, True])
def test_offset_at_equals_label_offsets(far):
    final, pos, labels = _code(far)
    got = [final.offset_at(p) for p in pos]
    assert got == [final.offset_of(lab) for lab in labels]
    # the widened branch is two words: everything after it moved by 4
    assert got == ([0, 8, 8 + 4 + (1 << 20)] if far else [0, 4, 8])
    ann = [(an.start, an.end, an.text) for an in final.annotations]
    assert ann == [(got[1], got[2], "body")]


def test_offset_at_survives_relocate():
    final, pos, labels = _code(True)
    moved = final.relocate(0x20000)
    assert [moved.offset_at(p) for p in pos] == [final.offset_at(p) for p in pos]


def test_annotate_span_refuses_a_reversed_or_foreign_span():
    a = Assembler()
    p0 = a.position()
    a.ret()
    p1 = a.position()
    with pytest.raises(LabelError):
        a.annotate_span(p1, p0, "reversed")
    with pytest.raises(LabelError):
        a.annotate_span(p0, (100, 0), "past the end")
