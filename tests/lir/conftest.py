"""Shared fixtures for the LIR tests: the dev corpus, read and parsed once."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from armjit.corpus.dev import function_dirs
from armjit.lir import parse

STAGES = ("generation", "postgen", "legalized", "regalloc", "postalloc")
DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="session")
def corpus_texts():
    """[(function dir, stage, text)] for all 105 x 5 dumps."""
    out = []
    for d in function_dirs():
        for st in STAGES:
            out.append((d, st, (d / f"{st}.lir").read_text(encoding="utf-8")))
    assert len(out) == 525
    return out


@pytest.fixture(scope="session")
def corpus(corpus_texts):
    """[(function dir, stage, text, Function)]."""
    return [(d, st, t, parse(t)) for d, st, t in corpus_texts]


@pytest.fixture(scope="session")
def raw_log():
    with gzip.open(DATA / "cinderx_log_f_g.txt.gz", "rt", encoding="utf-8") as f:
        return f.read()
