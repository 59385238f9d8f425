"""Training the Rasa model, only when no model matches the training data.

The model's file name carries a fingerprint of everything that shapes it (config, domain,
stories, NLU data, and the custom NLU components' code), so "is there a model for this
data?" is a file lookup.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from ledger.settings import PROJECT_ROOT

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
TRAINING_INPUTS = ("bot/config.yml", "bot/domain", "bot/data", "nlu")


def _files(root: Path) -> list[Path]:
    files: list[Path] = []
    for name in TRAINING_INPUTS:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix in (".yml", ".yaml", ".py", ".txt")
                and "__pycache__" not in p.parts
            )
    return files


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    """A short hash of the training inputs."""
    digest = hashlib.sha256()
    for path in _files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(models_dir: Path, root: Path = PROJECT_ROOT) -> Path:
    return models_dir / f"bokbot-{fingerprint(root)}.tar.gz"


def rasa_env(root: Path = PROJECT_ROOT) -> dict[str, str]:
    """The environment Rasa runs in: the repo on the path (for `nlu.components`), quiet TF."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


class TrainingFailed(RuntimeError):
    """`rasa train` failed; the message ends with the last lines of its output."""


def train(models_dir: Path, root: Path = PROJECT_ROOT, force: bool = False, log: Path | None = None) -> Path:
    """Train unless a model for the current training data exists; the model's path.

    With `log`, Rasa's output goes to that file instead of the terminal."""
    target = model_path(models_dir, root)
    if target.exists() and not force:
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    if not RASA_PYTHON.exists():
        sys.exit(f"No Rasa environment at {RASA_PYTHON}: run `make setup` first.")
    command = [
        str(RASA_PYTHON), "-m", "rasa", "train",
        "--config", "bot/config.yml",
        "--domain", "bot/domain",
        "--data", "nlu/data", "bot/data",
        "--out", str(models_dir),
        "--fixed-model-name", target.name.removesuffix(".tar.gz"),
    ]
    if log is None:
        subprocess.run(command, cwd=root, env=rasa_env(root), check=True)
        return target
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        result = subprocess.run(command, cwd=root, env=rasa_env(root), stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise TrainingFailed(f"rasa train failed (exit {result.returncode}); last lines of {log}:\n{tail}")
    return target
