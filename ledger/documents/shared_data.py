"""Where the official data files live: the PEPPOL rules, the SAF-T schema and code lists.

They sit in the shared data folder beside the repository (``../shared/data`` from the
repository root), copied as published. The setting ``shared_data`` (environment variable
``BOKBOT_SHARED_DATA``) points elsewhere, for tests and deployments that keep them in another
place.
"""

from __future__ import annotations

from pathlib import Path

from ledger.settings import get_settings


def shared_data_dir() -> Path:
    """The folder holding ``peppol/``, ``saft/`` and the other official files."""
    return get_settings().shared_data


def peppol_dir() -> Path:
    """PEPPOL BIS Billing 3.0: schematron files, examples and rule tests."""
    return shared_data_dir() / "peppol"


def saft_dir() -> Path:
    """SAF-T Financial 1.30: schema, standard tax codes and grouping codes."""
    return shared_data_dir() / "saft"


def cache_dir() -> Path | None:
    """``var/cache`` (under the ``var_dir`` setting) when there is a ``var/`` to put it in."""
    var = get_settings().var_dir
    return var / "cache" if var.is_dir() else None
