import os
import sys

from isms.cli import main

try:
    code = main()
    sys.stdout.flush()
except BrokenPipeError:
    # the reader of our output left (`python -m isms import FILE | head -1`): no traceback; what was
    # committed stays committed (each import is one transaction). Python's advice: point stdout at
    # devnull so the interpreter's own flush at exit does not raise again.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    code = 1
raise SystemExit(code)
