"""Where the official data files live: the PEPPOL rules, the SAF-T schema and code lists.

They sit in the shared data folder beside the repository (``../shared/data`` from the repository
root), copied as published. ``BOKBOT_SHARED_DATA`` points elsewhere, for tests and deployments
that keep them in another place.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ENV_VAR = "BOKBOT_SHARED_DATA"


def shared_data_dir() -> Path:
    """The folder holding ``peppol/``, ``saft/`` and the other official files."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    return REPO_ROOT.parent / "shared" / "data"


def peppol_dir() -> Path:
    """PEPPOL BIS Billing 3.0: schematron files, examples and rule tests."""
    return shared_data_dir() / "peppol"


def saft_dir() -> Path:
    """SAF-T Financial 1.30: schema, standard tax codes and grouping codes."""
    return shared_data_dir() / "saft"


def cache_dir() -> Path | None:
    """``var/cache`` in the repository when there is a ``var/`` to put it in, else None."""
    var = REPO_ROOT / "var"
    return var / "cache" if var.is_dir() else None
