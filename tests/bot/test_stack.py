"""The supervisor of the three processes leaves nothing running behind it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.processes import alive

SUPERVISOR = """
import sys, time
from pathlib import Path
from bot.stack import Service
service = Service("sleeper", ["sleep", "300"], {}, Path(sys.argv[1]), lambda: True)
service.start()
print(service.process.pid, flush=True)
time.sleep(300)
"""


def test_children_stop_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR, str(tmp_path / "sleeper.log")], stdout=subprocess.PIPE, text=True
    )
    assert supervisor.stdout is not None
    child = int(supervisor.stdout.readline())
    assert alive(child)
    supervisor.send_signal(signal.SIGKILL)
    supervisor.wait(10)
    deadline = time.monotonic() + 10
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(child)


def test_stop_ends_the_child_and_its_own_children(tmp_path: Path) -> None:
    from bot.stack import Service

    service = Service("shell", ["sh", "-c", "sleep 300 & wait"], {}, tmp_path / "shell.log", lambda: True)
    service.start()
    assert service.process is not None
    time.sleep(0.3)
    group = os.getpgid(service.process.pid)
    service.stop()
    time.sleep(0.3)
    members = subprocess.run(["pgrep", "-g", str(group)], capture_output=True, text=True).stdout.split()
    assert [pid for pid in map(int, members) if alive(pid)] == []
