import os
import select
import sys

from isms.cli import main


def _stdout_gone() -> bool:
    """Whether our standard output is a pipe nobody reads any more (poll says POLLERR for it)."""
    try:
        poll = select.poll()
        poll.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poll.poll(0))
    except (OSError, ValueError):
        return False


try:
    code = main()
    sys.stdout.flush()
except BrokenPipeError:
    if not _stdout_gone():
        raise  # another pipe (a child's, a socket's): a failure to report, not a reader who left
    # the reader of our output left (`python -m isms import FILE | head -1`): no traceback; what was
    # committed stays committed (each import is one transaction). Python's advice: point stdout at
    # devnull so the interpreter's own flush at exit does not raise again.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    code = 1
raise SystemExit(code)
