"""The process charts are painted in lives no longer than the process that started it: an
action server killed outright (no chance to clean up) takes its painter with it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from ledger.settings import PROJECT_ROOT
from tests.processes import alive

STARTS_A_PAINTER = """
import sys, time
from actions.charts import start_painter
print(start_painter(), flush=True)
time.sleep(120)
"""




def test_a_killed_action_server_takes_its_painter_with_it() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", STARTS_A_PAINTER],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        painter = int(server.stdout.readline())
        assert painter != server.pid and alive(painter)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        deadline = time.monotonic() + 10
        while alive(painter) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(painter)
    finally:
        server.kill()
