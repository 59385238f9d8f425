"""The training data, stories and domain pass `rasa data validate` without a single warning.

Rasa reports many of its findings (an intent without examples, an entity the domain lacks, a
response never used) as Python warnings or WARNING log lines and still exits with 0, even
with `--fail-on-warnings`; so the output is read as well as the exit code.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMAND = [
    sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warnings",
    "--data", "nlu/data", "bot/data", "--domain", "bot/domain", "--config", "bot/config.yml",
]
# Rasa's own findings; not the deprecation notices its libraries print when imported.
FINDING = re.compile(r"UserWarning|\bWARNING\b|\bERROR\b")


def test_rasa_data_validate_finds_nothing_to_warn_about() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2",
           "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    result = subprocess.run(COMMAND, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    findings = [line for line in output.splitlines() if FINDING.search(line)]
    assert result.returncode == 0, output[-3000:]
    assert findings == []
