"""The examples in ``docs/documents.md`` run, and the official files can be moved."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_python_example_in_the_documents_guide_runs() -> None:
    guide = (REPO / "docs" / "documents.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", guide, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/documents.md", "exec"), {})


def test_the_official_files_are_found_where_bokbot_shared_data_says(tmp_path: Path) -> None:
    code = "from ledger.documents import shared_data; print(shared_data.peppol_dir())"
    env = {**os.environ, "BOKBOT_SHARED_DATA": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(tmp_path / "peppol")
