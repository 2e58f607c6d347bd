"""CinderX's JIT log as the live back end reads it: consumed as it is written.

CinderX has no API for LIR; it logs it (cinderx-backend-notes.md section 6) to
the file named by ``CINDERX_JIT_LOG_FILE``, opened once with ``fopen(path,
"w")`` (Jit/pyjit.cpp ``setJitLogFile``) and flushed after every message
(Common/log.cpp).  Each compile adds ~130 KB (five LIR stages and the asm
listing), so a long run must not keep it:

* once CinderX has opened the file, its descriptor gets ``O_APPEND`` (the
  flag belongs to the open file description, so CinderX's own writes then land
  at the end of the file wherever its stdio thinks it is), and the path is
  unlinked when armjit made it: nothing is left on disk after exit, even after
  a crash;
* :meth:`CinderXLog.take` returns what was written since the last call and
  truncates the file to zero: disk use stays flat;
* :meth:`CinderXLog.mute` points CinderX's descriptor at ``/dev/null``
  (armjit.disable()) and :meth:`unmute` back at the file.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from typing import Optional


class CinderXLog:
    def __init__(self, path: Optional[str] = None):
        self.owned = path is None
        if path is None:
            d = tempfile.mkdtemp(prefix="armjit-")
            path = os.path.join(d, "cinderx.log")
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self._cx_fd: Optional[int] = None      # CinderX's descriptor for the file
        self._saved_fd: Optional[int] = None   # a dup of it while muted
        self.consumed = 0                      # bytes read over the whole run
        self.peak = 0                          # largest size the file reached

    # -- CinderX's side
    def attach(self) -> bool:
        """Find CinderX's descriptor of the log (after ``import cinderx``), make it
        append-only, and unlink the path if armjit made it.  True when found."""
        if self._cx_fd is not None:
            return True
        me = os.fstat(self._fd)
        try:
            names = os.listdir("/proc/self/fd")
        except OSError:
            return False
        for name in names:
            fd = int(name)
            if fd == self._fd:
                continue
            try:
                st = os.fstat(fd)
            except OSError:
                continue
            if (st.st_dev, st.st_ino) == (me.st_dev, me.st_ino):
                flags = fcntl.fcntl(fd, fcntl.F_GETFL)
                fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_APPEND)
                self._cx_fd = fd
                break
        if self._cx_fd is None:
            return False
        if self.owned:
            try:
                os.unlink(self.path)
                os.rmdir(os.path.dirname(self.path))
            except OSError:
                pass
        return True

    def mute(self) -> None:
        if self._cx_fd is None or self._saved_fd is not None:
            return
        self._saved_fd = os.dup(self._cx_fd)
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, self._cx_fd)
        finally:
            os.close(null)

    def unmute(self) -> None:
        if self._saved_fd is None:
            return
        os.dup2(self._saved_fd, self._cx_fd)
        os.close(self._saved_fd)
        self._saved_fd = None

    # -- armjit's side
    def size(self) -> int:
        return os.fstat(self._fd).st_size

    def take(self) -> str:
        """Everything logged since the last call; the file is emptied."""
        size = self.size()
        self.peak = max(self.peak, size)
        if size == 0:
            return ""
        data = os.pread(self._fd, size, 0)
        os.ftruncate(self._fd, 0)
        self.consumed += len(data)
        return data.decode("utf-8", errors="replace")
