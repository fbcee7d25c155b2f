"""`grid` in a real pseudo-terminal (POSIX only): what a monitor types and sees, Ctrl-C and Ctrl-D included.

The terminal's line discipline does what a real one does: it echoes what is typed, turns Ctrl-C into
SIGINT for the program and Ctrl-D at the start of a line into the end of the input.
"""

from __future__ import annotations

import os
import select
import sys
import time

try:
    import pty
except ImportError:  # Windows
    pty = None


class Terminal:
    def __init__(self, args: list[str], env: dict[str, str], cwd: str | os.PathLike | None = None):
        env = {**env, "TERM": "dumb", "COLUMNS": "80", "PYTHONUNBUFFERED": "1"}
        pid, fd = pty.fork()
        if pid == 0:  # the child: the terminal is its controlling terminal, as in a shell
            try:
                if cwd:
                    os.chdir(cwd)
                os.execve(sys.executable, [sys.executable, "-m", "grid_cli", *args], env)
            finally:
                os._exit(127)
        self.pid, self.fd, self.seen, self.code = pid, fd, "", None
        self._raw, self._mark = b"", 0

    def _read(self, timeout: float) -> bool:
        """Read what the program wrote within `timeout`; False once it has closed the terminal."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the program ended
            data = b""
        if not data:
            return False
        self._raw += data
        self.seen = self._raw.decode("utf-8", errors="replace").replace("\r\n", "\n")
        return True

    def expect(self, text: str, timeout: float = 60) -> str:
        """Wait until `text` appears after what was expected last; return the screen since then."""
        end = time.monotonic() + timeout
        while text not in self.seen[self._mark:]:
            if time.monotonic() > end or not self._read(0.2):
                raise AssertionError(f"never saw {text!r}; the screen:\n{self.seen}")
        start, self._mark = self._mark, self.seen.index(text, self._mark) + len(text)
        return self.seen[start:self._mark]

    def type(self, line: str) -> None:
        os.write(self.fd, line.encode("utf-8") + b"\r")

    def answer(self, prompt: str, line: str) -> None:
        self.expect(prompt)
        self.type(line)

    def ctrl_c(self) -> None:
        # A person's pause first: a SIGINT landing in the microseconds between a prompt's write and its read
        # is only acted on at the next key (CPython's line reader checks signals when read() is interrupted).
        time.sleep(0.5)
        os.write(self.fd, b"\x03")

    def ctrl_d(self) -> None:
        os.write(self.fd, b"\x04")

    def close(self) -> None:
        """The window is closed: the terminal hangs up (SIGHUP to the program)."""
        os.close(self.fd)
        self.fd = None

    def wait(self, timeout: float = 60) -> int:
        """The exit code, once the program has ended (what it printed last is in `seen`)."""
        end = time.monotonic() + timeout
        while self.fd is not None and self._read(0.2):
            if time.monotonic() > end:
                raise AssertionError(f"still running; the screen:\n{self.seen}")
        _, status = os.waitpid(self.pid, 0)
        self.code = os.waitstatus_to_exitcode(status)
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        return self.code
