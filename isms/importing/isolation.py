"""Reading an uploaded file, and marking up a copy of it, in a child process with memory and time
limits.

The checks in `reading` refuse every hostile file we know of; this is for the ones we do not. A
parser that allocates 78 GB, recurses without end or spins forever dies in the child, and the
dashboard (which serves everyone from one process) hears a sentence instead of going down with
it. Limits are the kernel's (RLIMIT_AS, RLIMIT_CPU) plus a wall-clock timeout.

Starting a child and importing its readers (calamine, fastexcel, pyarrow) costs about a quarter of
a second, which every upload's preview paid before the file was even opened. So one child is
started ahead of need (`_Spare`): it imports its readers, sets its limits and waits for a file on
its standard input; the next read takes it, and a new one starts while the server goes on. A
spare is used once, for the limits it was started with, and ends when the server does (its input
closes).

The child reads a workbook's long sheets on a second thread while it scans it (`fast_sheet.Ahead`).
A child that dies of that is asked again without it (`read_isolated`), so what the analyst is told
is what the scan says, as when nothing was read ahead.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isms.importing.reading import MAX_CELLS, ReadError, Workbook, read_workbook

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class ReadLimits:
    max_bytes: int
    max_rows: int
    max_cells: int = MAX_CELLS
    memory_mb: int = 2048
    seconds: int = 120


def read_isolated(data: bytes, file_name: str, limits: ReadLimits) -> Workbook:
    """`read_workbook` in a child process; ReadError with a sentence for any failure of the child."""
    if len(data) > limits.max_bytes:  # no child for a file the cap refuses anyway
        return read_workbook(data, file_name, max_bytes=limits.max_bytes, max_rows=limits.max_rows)
    args = (data, file_name, limits.max_bytes, limits.max_rows, limits.max_cells)
    try:
        return _run("read", (*args, True), limits)
    except _Died as died:
        if not died.retry:
            raise
    # the child read long sheets ahead of the scan (fast_sheet.Ahead) and died or ran out of memory:
    # maybe of a file the scan would have refused or read another way; without reading ahead, the
    # scan decides first, as it always did, and a file that still kills the child is the same sentence
    return _run("read", (*args, False), limits)


def one_shot() -> None:
    """This process reads once and ends (the CLI): start no child ahead of a read that will not come."""
    _Spare.ahead = False


def prepare(limits: ReadLimits) -> None:
    """Start the child the next read will take, if none waits: the Import page asks while the
    analyst chooses a file, so even the first upload after the server starts finds one ready."""
    _Spare.replenish(*_command(limits))


def annotate_isolated(data: bytes, file_format: str, sheets: dict[str, list[list[Any]]], problems: list,
                      limits: ReadLimits) -> bytes:
    """`annotated_workbook` in a child process: openpyxl loads the analyst's whole workbook to mark
    it, which must not cost the server its memory either. ReadError with a sentence on failure."""
    return _run("annotate", (data, file_format, sheets, problems), limits)


class _Died(ReadError):
    """The child ended without an answer, or ran out of memory, while it read sheets ahead;
    `retry`: it read ahead, and not for the time it took (reading the file again would take as long)."""

    def __init__(self, message: str, retry: bool):
        super().__init__(message)
        self.retry = retry


class _Spare:
    """The one child started ahead of need, with the command line (limits, environment) it was
    started with: a read with other limits starts its own."""

    lock = threading.Lock()
    child: subprocess.Popen | None = None
    ahead = True  # False in a one-shot process (the CLI): no read follows to take the spare

    @classmethod
    def take(cls, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        with cls.lock:
            child, cls.child = cls.child, None
        if child is not None and (child.poll() is not None or child.args != argv or child.env != env):
            _end(child)
            child = None
        return child or _start(argv, env)

    @classmethod
    def replenish(cls, argv: list[str], env: dict[str, str]) -> None:
        with cls.lock:
            if cls.child is not None or not cls.ahead:
                return
            cls.child = _start(argv, env)


def _start(argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env, cwd=ROOT)
    child.env = env
    return child


def _end(child: subprocess.Popen) -> None:
    child.kill()
    child.communicate()


def _command(limits: ReadLimits) -> tuple[list[str], dict[str, str]]:
    """The child's command line and environment (no secrets of the server's)."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    # pyarrow's own allocator reserves about 1 GB of address space up front, which RLIMIT_AS counts
    env |= {"RUST_BACKTRACE": "0", "PYTHONPATH": str(ROOT), "ARROW_DEFAULT_MEMORY_POOL": "system"}
    return [sys.executable, "-m", "isms.importing.isolation", str(limits.memory_mb), str(limits.seconds)], env


def _run(command: str, args: tuple, limits: ReadLimits):
    argv, env = _command(limits)
    payload = pickle.dumps((command, args), protocol=pickle.HIGHEST_PROTOCOL)
    child = _Spare.take(argv, env)
    try:
        stdout, stderr = child.communicate(payload, timeout=limits.seconds + 10)
    except subprocess.TimeoutExpired:
        _end(child)
        raise _Died(f"the file took longer than {limits.seconds} s, the limit for one file; refused "
                    "(is it much larger than it looks?)", retry=False) from None
    finally:
        _Spare.replenish(argv, env)
    if child.returncode == 0 and stdout:
        status, value = pickle.loads(stdout)
        if status == "ok":
            return value
        if status == "out of memory, reading ahead":
            raise _Died(value, retry=True)
        raise ReadError(value)
    ahead = READING_AHEAD in stderr
    raise _Died(_why(child.returncode, stderr.replace(READING_AHEAD, b""), limits),
                retry=ahead and child.returncode not in (-signal.SIGXCPU, -signal.SIGKILL))


def _why(code: int, stderr: bytes, limits: ReadLimits) -> str:
    text = stderr.decode("utf-8", "replace")
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return (f"the file took longer than {limits.seconds} s of processor time, the limit for one file; "
                "refused")
    if code == -signal.SIGABRT or any(sign in text for sign in ("memory allocation", "MemoryError", "MemError",
                                                                  "Cannot allocate memory")):
        return (f"the file needed more than {limits.memory_mb:,} MB of memory, the limit for one file "
                "(a sheet with a stray cell far outside its table?); refused")
    how = f"signal {-code}" if code < 0 else f"exit {code}"
    return f"the file could not be read: the reader stopped ({how})"


# what the child says on its standard error when it starts reading sheets ahead (fast_sheet.Ahead)
READING_AHEAD = b"[reading long sheets ahead]\n"


def _reading_ahead() -> None:
    _child_state["ahead"] = True
    sys.stderr.buffer.write(READING_AHEAD)
    sys.stderr.buffer.flush()


_child_state = {"ahead": False}


def _child(argv: list[str]) -> int:
    import resource

    from isms.importing.fast_sheet import Ahead
    from isms.importing.reading import OutOfMemory

    Ahead.started = _reading_ahead

    try:  # the readers a long xlsx sheet needs, imported while the child waits (isms.importing.fast_sheet)
        import fastexcel  # noqa: F401
        import numpy  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        pass
    memory_mb, seconds = int(argv[0]), int(argv[1])
    # the file's allowance on top of what the child holds before it (Python and its readers, about
    # 300 MB of address space with pyarrow), so a file has the memory `read_memory_mb` says
    limit = _address_space() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    payload = sys.stdin.buffer.read()
    if not payload:  # a spare whose server ended
        return 0
    command, args = pickle.loads(payload)
    try:
        if command == "read":
            data, file_name, max_bytes, max_rows, max_cells, ahead = args
            result = ("ok", read_workbook(data, file_name, max_bytes=max_bytes, max_rows=max_rows, max_cells=max_cells,
                                          ahead=ahead))
        else:
            from isms.importing.annotate import annotated_workbook

            result = ("ok", annotated_workbook(*args))
    except (ReadError, ValueError) as exc:
        result = ("refused", str(exc))
        if isinstance(exc, OutOfMemory) and _child_state["ahead"]:  # the sheets read ahead took its memory
            result = ("out of memory, reading ahead", str(exc))
    except MemoryError:
        result = ("refused", f"the file needed more than {memory_mb:,} MB of memory, the limit for one file; refused")
        if _child_state["ahead"]:
            result = ("out of memory, reading ahead", result[1])
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return 0


def _address_space() -> int:
    """This process's virtual memory now, in bytes (0 where /proc does not tell)."""
    try:
        with open("/proc/self/status") as status:
            line = next(ln for ln in status if ln.startswith("VmSize:"))
        return int(line.split()[1]) * 1024
    except (OSError, StopIteration, ValueError, IndexError):
        return 0


if __name__ == "__main__":
    try:
        code = _child(sys.argv[1:])
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    # at once: a sheet still being read ahead (of a file the scan refused) is not waited for
    os._exit(code)
