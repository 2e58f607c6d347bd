"""The frame-access check: every X29/SP access of the LIR lands in a slot meant for it."""

import json
import re

import pytest

from armjit.codegen.frame import FrameLayoutError
from armjit.codegen.framecheck import FrameAccessError, check_frame_accesses
from armjit.codegen.function import compile_dump
from armjit.codegen.layout import frame_layout, is_generator
from armjit.corpus.dev import function_dirs
from armjit.lir import parse

DIRS = list(function_dirs())
DUMPS = next(d for d in DIRS if d.parent.name == "json" and d.name == "dumps")


def _load(d):
    text = (d / "postalloc.lir").read_text()
    meta = json.loads((d / "meta.json").read_text())
    return text, meta


def test_every_corpus_function_accesses_only_its_slots():
    checked = 0
    for d in DIRS:
        text, meta = _load(d)
        if is_generator(meta):
            continue
        frame = frame_layout(parse(text), meta)
        frame.check()
        checked += check_frame_accesses(parse(text), frame)
    assert len(DIRS) - 1 == 104 and checked > 18000


def _with_line(text: str, line: str) -> str:
    """``line`` appended to the first block after SetupFrame's block."""
    marker = "BB %6 "
    head, tail = text.split(marker, 1)
    first, rest = tail.split("\n", 1)
    return head + marker + first + "\n" + line + "\n" + rest


def test_dumps_layout_is_what_the_tests_below_assume():
    text, meta = _load(DUMPS)
    frame = frame_layout(parse(text), meta)
    kinds = {sl.name: (sl.kind, sl.offset, sl.size) for sl in frame.slots}
    assert kinds["save.X19"] == ("callee_saved", -480, 8)
    assert kinds["outgoing_args"] == ("arg_buffer", -576, 32)
    assert kinds["saved_lr"] == ("frame_record", 8, 8)


@pytest.mark.parametrize("line, hit", [
    # a spill slot operand in the callee-saved area (FrameLayout itself refuses it)
    ("[X29(-480)]:Object = Store X0:Object", "stack operands [-480] are outside the spill area"),
    # the same through an X29 base register: straddling the last spill and a save slot
    ("[X29:Object - 0x1d4]:64bit = Store X0:64bit", "spill[14], save.X20"),
    # the return address in the frame record
    ("       X0:Object = Load [X29:Object + 0x8]:Object", "saved_lr"),
    # an outgoing argument past the end of the argument area, through a Lea of SP
    # (caught when the access is checked against CinderX's own frame: the
    # layout is then smaller than what the access needs)
    ("       X2:Object = Lea [SP:Object + 0x18]:Object\n"
     "[X2:Object + 0x8]:Object = Store X0:Object", "save.X27"),
    # a pair store of arguments running off the argument area's end
    ("       X2:Object = Lea [SP:Object + 0x8]:Object\n"
     "                   StorePair 16(0x10):64bit, X2:64bit, X19:64bit, X27:64bit", "save.X27"),
    # the interpreter frame's pointer used past the frame's top
    ("      X23:Object = Lea [X29(-112)]:Object\n"
     "[X23:Object + 0x70]:Object = Store X0:Object", "saved_fp"),
])
def test_bad_accesses_are_refused_by_name(line, hit, tmp_path):
    text, meta = _load(DUMPS)
    broken = _with_line(text, line)
    # Checked against CinderX's frame for the function (the layout of the
    # unbroken LIR, whose size is meta.json's stack_size).
    frame = frame_layout(parse(text), meta)
    assert frame.total_size == meta["stack_size"]
    with pytest.raises(FrameLayoutError) as e:
        frame_layout(parse(broken), meta)        # may refuse already (stack operands)
        check_frame_accesses(parse(broken), frame)
    assert hit in str(e.value)
    if isinstance(e.value, FrameAccessError):
        assert "BB %6 instruction " in str(e.value)
    # compile_dump refuses the same function before emitting anything
    for name in ("postalloc.lir", "meta.json", "asmjit.asm", "asmjit.bin"):
        (tmp_path / name).write_bytes((DUMPS / name).read_bytes())
    (tmp_path / "postalloc.lir").write_text(broken)
    # compile_dump refuses the function before emitting anything: the access
    # check fires, or the LIR-derived frame disagrees with CinderX's size.
    with pytest.raises(FrameLayoutError, match=re.escape(hit) + "|but CinderX's is 576 bytes"):
        compile_dump(tmp_path)


def test_good_accesses_pass():
    text, meta = _load(DUMPS)
    for line in ("       X2:Object = Lea [SP:Object + 0x8]:Object\n"      # arguments 1..3
                 "                   StorePair 0(0x0):64bit, X2:64bit, X19:64bit, X27:64bit\n"
                 "[X2:Object + 0x10]:Object = Store X0:Object",
                 "       X0:Object = Load [X29(-352)]:Object",             # spill[0]
                 "      X23:Object = Lea [X29(-320)]:Object\n"           # interpreter frame
                 "[X23:Object + 0x138]:Object = Store X0:Object"):
        broken = _with_line(text, line)
        assert check_frame_accesses(parse(broken), frame_layout(parse(broken), meta)) > 0
