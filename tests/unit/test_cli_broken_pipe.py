"""``python -m lambda_constructs ... | head``: a reader that goes away ends the command quietly (exit 1, no
``BrokenPipeError`` traceback on stderr), as other command line tools do."""

from __future__ import annotations

import os
import subprocess
import sys


def test_a_closed_stdout_is_no_traceback() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line is written
    try:
        done = subprocess.run(
            [sys.executable, "-m", "lambda_constructs", "events"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stderr
