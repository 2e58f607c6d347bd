"""The committed development corpus (tests/data/devcorpus.tar.xz), unpacked on demand.

Host-tier tests and tools read real CinderX LIR through this, never through qemu.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Iterator

from armjit.target import CHECKOUT

TARBALL = CHECKOUT / "tests" / "data" / "devcorpus.tar.xz"


def corpus_dir() -> Path:
    """The unpacked corpus root (the directory holding refused.json)."""
    digest = hashlib.sha256(TARBALL.read_bytes()).hexdigest()[:16]
    dest = CHECKOUT / ".cache" / f"devcorpus-{digest}"
    root = dest / "devc"
    if (root / "refused.json").is_file():
        return root
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="devcorpus-", dir=dest.parent))
    with tarfile.open(TARBALL) as t:
        t.extractall(tmp, filter="data") if hasattr(tarfile, "data_filter") else t.extractall(tmp)
    try:
        os.rename(tmp, dest)
    except OSError:  # another process unpacked it first
        shutil.rmtree(tmp, ignore_errors=True)
    return root


def function_dirs(root: Path | None = None) -> Iterator[Path]:
    """Every function directory of the corpus (those holding meta.json), sorted."""
    root = root or corpus_dir()
    yield from sorted(p.parent for p in root.glob("*/*/meta.json"))
