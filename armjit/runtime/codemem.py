"""Executable code memory on aarch64 Linux: W^X pages, packing, the icache flush.

Two interfaces:

* :class:`CodeHeap` (the live back end): functions packed into shared arenas
  of address space reserved ``PROT_NONE``.  An arena belongs to a *zone*: the
  address range of one object (the python executable that holds the C API,
  or ``_cinderx.so`` with CinderX's helpers and code), and lies within +-128
  MiB of all of it, so that calls into that object are direct ``bl`` (Arm ARM
  C6.2.35) rather than veneers.  The two are hundreds of GB apart, so no
  place reaches both: the live path puts each function in the zone its own
  calls go to most (armjit.runtime.live.call_zone).  A function's code is assembled for an address the heap picks
  (:meth:`CodeHeap.place`), then written there (:meth:`CodeHeap.commit`) by one
  C call that holds the GIL while it makes the touched pages read-write,
  copies, makes them read-execute again and flushes the icache: pages are
  never writable and executable at once, and since JIT code only runs with the
  GIL held, no thread can be executing a page while it is writable.  Freed
  code is overwritten with zeros (``udf #0``: a stale call faults at once) and
  its bytes are reused.
* :class:`CodeMemory` (tests, snippets): one fresh mapping per piece of code.

On aarch64 the data and instruction caches are not coherent for code the
process wrote itself (Arm ARM B2.4.4, "Concurrent modification and execution
of instructions"), and CinderX's own allocator does not flush on Linux
(cinderx-backend-notes.md section 5), so armjit must.

The system calls and the flush go through the C shim (csrc/).  This module
runs on the target only; it refuses to run elsewhere rather than execute
aarch64 bytes on another CPU.
"""

from __future__ import annotations

import bisect
import ctypes
import mmap
import os
import platform
from typing import List, Optional, Tuple

PAGE = mmap.PAGESIZE
AARCH64 = ("aarch64", "arm64")


class CodeMemoryError(RuntimeError):
    pass


def require_aarch64() -> None:
    if platform.machine() not in AARCH64:
        raise CodeMemoryError(
            f"armjit installs aarch64 code only on aarch64 (this is {platform.machine()}); "
            "run it under the target: python -m armjit.target run -- ...")


def load_shim():
    """The cffi shim module: the one ``pip install`` compiled into the package on
    aarch64 (``armjit._armjit_shim``) first, else the top-level ``_armjit_shim``
    that ``python -m armjit.target setup`` cross-builds for the qemu target."""
    import importlib
    for name in ("armjit._armjit_shim", "_armjit_shim"):
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:      # found, but something it needs is missing
                raise CodeMemoryError(f"the C shim {name} does not load: {e}") from None
        except ImportError as e:    # found, but it does not load (wrong build)
            raise CodeMemoryError(f"the C shim {name} does not load: {e}") from None
    raise CodeMemoryError(
        "the C shim is not importable (neither armjit._armjit_shim nor _armjit_shim): "
        "install armjit with pip on the aarch64 machine (setup.py compiles it), or, for "
        "the qemu target, run 'python -m armjit.target setup' and start Python through "
        "armjit.target")


# ------------------------------------------------------------------ the heap

def _library_range(name: str) -> Optional[Tuple[int, int]]:
    """(lowest, highest) address mapped from a file whose name contains ``name``."""
    lo = hi = None
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                if name in line:
                    a, b = (int(x, 16) for x in line.split(None, 1)[0].split("-"))
                    lo = a if lo is None else min(lo, a)
                    hi = b if hi is None else max(hi, b)
    except OSError:
        return None
    return None if lo is None else (lo, hi)


def _c_api_range() -> Optional[Tuple[int, int]]:
    """The address range of the object (python executable or libpython) that
    holds CPython's C API: what the LIR calls most (PyObject_*, Py*_*); CinderX's
    own helpers are fewer per function."""
    addr = ctypes.cast(ctypes.pythonapi.PyObject_Vectorcall, ctypes.c_void_p).value
    path = None
    try:
        with open("/proc/self/maps") as f:
            lines = f.readlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split(None, 5)
        a, b = (int(x, 16) for x in parts[0].split("-"))
        if a <= addr < b and len(parts) == 6:
            path = parts[5].strip()
            break
    if path is None:
        return None
    return _library_range(path)


def _mappings() -> List[Tuple[int, int]]:
    """Every mapping of the process, (start, end), sorted."""
    out = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                a, b = (int(x, 16) for x in line.split(None, 1)[0].split("-"))
                out.append((a, b))
    except OSError:
        return []
    return sorted(out)


class CodeHeap:
    """Functions packed into arenas; see the module docstring."""

    ARENA = 1 << 18             # address space per arena (reserved, not committed)
    ALIGN = 16                  # function start alignment
    BL_REACH = 1 << 27          # +-128 MiB

    def __init__(self):
        require_aarch64()
        self.shim = load_shim()
        self.arenas: List[Tuple[int, int]] = []       # (start, end), sorted
        self.arena_zone: dict = {}                    # arena start -> its zone (lo, hi) or None
        self.free: List[List[int]] = []               # [start, end) extents, sorted, coalesced
        self.used_bytes = 0                           # bytes handed out (aligned sizes)
        self.code_bytes = 0                           # bytes of code written
        self.peak_used = 0

    # -- address space
    def _hint(self, size: int, zone: Optional[Tuple[int, int]]) -> int:
        """A free gap of ``size`` bytes from which every byte of ``zone`` (an
        object's address range; default: the object that holds the C API,
        :func:`_c_api_range`) is within bl reach (+-128 MiB): the highest such
        gap (away from the brk heap that follows an executable); 0 when there
        is none (the kernel then chooses, and the calls go through veneers)."""
        r = zone or _c_api_range()
        if r is None:
            return 0
        lo, hi = r
        window_lo = max(hi - self.BL_REACH + PAGE, PAGE)
        window_hi = lo + self.BL_REACH - PAGE            # the gap must end below this
        best = 0
        prev_end = 0
        for start, end in _mappings() + [(1 << 48, 1 << 48)]:
            gap_lo, gap_hi = max(prev_end, window_lo), min(start, window_hi)
            if gap_hi - gap_lo >= size:
                a = (gap_hi - size) & ~(PAGE - 1)
                if a >= gap_lo:
                    best = max(best, a)
            prev_end = max(prev_end, end)
        return best

    def _new_arena(self, size: int, zone: Optional[Tuple[int, int]] = None) -> None:
        lib, ffi = self.shim.lib, self.shim.ffi
        size = max(self.ARENA, (size + PAGE - 1) // PAGE * PAGE)
        p = lib.armjit_code_reserve(ffi.cast("void *", self._hint(size, zone)), size)
        if p == ffi.NULL:
            raise CodeMemoryError(f"reserving {size} bytes of code memory failed: "
                                  f"{os.strerror(ffi.errno)}")
        start = int(ffi.cast("uintptr_t", p))
        bisect.insort(self.arenas, (start, start + size))
        self.arena_zone[start] = zone
        self._give_back(start, start + size)

    def _give_back(self, start: int, end: int) -> None:
        free = self.free
        i = bisect.bisect_left(free, [start, end])
        if i > 0 and free[i - 1][1] == start and self._same_arena(free[i - 1][0], start):
            free[i - 1][1] = end
            i -= 1
        else:
            free.insert(i, [start, end])
        if i + 1 < len(free) and free[i + 1][0] == free[i][1] \
                and self._same_arena(free[i][0], free[i + 1][0]):
            free[i][1] = free.pop(i + 1)[1]

    def _same_arena(self, a: int, b: int) -> bool:
        for s, e in self.arenas:
            if s <= a < e:
                return s <= b < e
        return False

    def _zone_of(self, address: int):
        i = bisect.bisect_right(self.arenas, (address, float("inf"))) - 1
        return self.arena_zone.get(self.arenas[i][0]) if i >= 0 else None

    # -- allocation
    def place(self, size: int, zone: Optional[Tuple[int, int]] = None) -> Tuple[int, int]:
        """(address, room): where code of up to ``room`` >= ``size`` bytes can be
        assembled now and committed with :meth:`commit` (nothing is taken yet),
        in an arena of ``zone`` (see the module docstring; None: the C API's)."""
        need = (max(size, 4) + self.ALIGN - 1) // self.ALIGN * self.ALIGN
        for start, end in self.free:
            if end - start >= need and self._zone_of(start) == zone:
                return start, end - start
        self._new_arena(need, zone)
        return self.place(size, zone)

    def commit(self, address: int, code: bytes) -> None:
        """Take ``[address, address+len(code))`` (inside a free extent that
        :meth:`place` returned) and write the code there, W^X."""
        need = (max(len(code), 4) + self.ALIGN - 1) // self.ALIGN * self.ALIGN
        free = self.free
        i = bisect.bisect_right(free, [address, float("inf")]) - 1
        if i < 0 or not (free[i][0] <= address and address + need <= free[i][1]):
            raise CodeMemoryError(f"{need} bytes at {address:#x} are not free code memory")
        self._write(address, code)
        s, e = free[i]
        pieces = [p for p in ([s, address], [address + need, e]) if p[1] > p[0]]
        free[i:i + 1] = pieces
        self.used_bytes += need
        self.code_bytes += len(code)
        self.peak_used = max(self.peak_used, self.used_bytes)

    def release(self, address: int, code_size: int) -> None:
        """Give ``code_size`` bytes at ``address`` back (zeroed: ``udf #0``)."""
        need = (max(code_size, 4) + self.ALIGN - 1) // self.ALIGN * self.ALIGN
        self._write(address, bytes(need))
        self._give_back(address, address + need)
        self.used_bytes -= need
        self.code_bytes -= code_size

    def _write(self, address: int, data: bytes) -> None:
        lib, ffi = self.shim.lib, self.shim.ffi
        err = lib.armjit_code_write(ffi.cast("void *", address), data, len(data))
        if err:
            raise CodeMemoryError(f"writing {len(data)} bytes of code at {address:#x} "
                                  f"failed: {os.strerror(err)}")

    @property
    def reserved_bytes(self) -> int:
        return sum(e - s for s, e in self.arenas)

    @property
    def committed_pages_bytes(self) -> int:
        """Bytes of the pages that hold code (what the process really uses)."""
        pages = set()
        free = self.free
        for s, e in self.arenas:
            for p in range(s, e, PAGE):
                i = bisect.bisect_right(free, [p, float("inf")]) - 1
                if not (i >= 0 and free[i][0] <= p and p + PAGE <= free[i][1]):
                    pages.add(p)
        return len(pages) * PAGE


# ------------------------------------------------------------ single blocks

class CodeBlock:
    """One installed piece of code: its address, size, and a way to call it."""

    def __init__(self, address: int, size: int, mapped: int, owner: "CodeMemory"):
        self.address = address
        self.size = size
        self.capacity = mapped
        self._mapped = mapped
        self._owner = owner

    def function(self, restype, *argtypes, offset: int = 0, keep_gil: bool = True):
        """A ctypes callable for the code at ``address + offset``.

        ``keep_gil``: PYFUNCTYPE keeps the GIL, which code calling the C API
        needs; CFUNCTYPE releases it (DESIGN.md).
        """
        proto = (ctypes.PYFUNCTYPE if keep_gil else ctypes.CFUNCTYPE)(restype, *argtypes)
        return proto(self.address + offset)

    def release(self) -> None:
        if self._mapped:
            shim = self._owner.shim
            err = shim.lib.armjit_code_free(shim.ffi.cast("void *", self.address), self._mapped)
            if err:
                raise CodeMemoryError(f"munmap failed: {os.strerror(err)}")
            self._mapped = 0


class CodeMemory:
    """One fresh mapping per piece of code (tests and snippets)."""

    def __init__(self):
        require_aarch64()
        self.shim = load_shim()

    def reserve(self, size: int) -> CodeBlock:
        """Fresh read-write pages for code that must be assembled for its final
        address first; fill and seal them with :meth:`commit`."""
        lib, ffi = self.shim.lib, self.shim.ffi
        mapped = (max(size, 1) + PAGE - 1) // PAGE * PAGE
        p = lib.armjit_code_alloc(mapped)
        if p == ffi.NULL:
            raise CodeMemoryError(f"mmap of {mapped} bytes failed: {os.strerror(ffi.errno)}")
        return CodeBlock(int(ffi.cast("uintptr_t", p)), 0, mapped, self)

    def commit(self, block: CodeBlock, code: bytes) -> CodeBlock:
        """Copy ``code`` into a reserved block, seal it RX and flush the icache."""
        lib, ffi = self.shim.lib, self.shim.ffi
        if block.size:
            raise CodeMemoryError("this block is already sealed (W^X: code is written once)")
        if len(code) > block.capacity:
            raise CodeMemoryError(f"{len(code)} bytes of code exceed the block's "
                                  f"{block.capacity} bytes")
        p = ffi.cast("void *", block.address)
        ffi.memmove(p, code, len(code))
        err = lib.armjit_code_seal(p, block.capacity)
        if err:
            raise CodeMemoryError(f"mprotect failed: {os.strerror(err)}")
        block.size = len(code)
        return block

    def install(self, code: bytes) -> CodeBlock:
        """Copy ``code`` into fresh RW pages, seal them RX and flush the icache."""
        return self.commit(self.reserve(len(code)), code)
