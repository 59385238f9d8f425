"""The process charts are painted in lives no longer than the process that started it: an
action server killed outright (no chance to clean up) takes its painter with it. It paints at
a lower priority than the answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from actions.charts import PAINTER_NICENESS
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
        # Painting yields the processor to the answers (unless the server already runs at the lowest priority).
        assert os.getpriority(os.PRIO_PROCESS, painter) == min(
            os.getpriority(os.PRIO_PROCESS, server.pid) + PAINTER_NICENESS, 19
        )
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        deadline = time.monotonic() + 10
        while alive(painter) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(painter)
    finally:
        server.kill()
