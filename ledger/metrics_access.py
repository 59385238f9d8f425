"""Who may read the processes' metrics (`/metrics` on the gateway and the action server).

The metrics tell how many people chat, through which channels, how often things fail and how
many invoices, payments and expenses are posted: business figures of every company on the
installation taken together, and a map of its weak spots for anyone probing it. So they are
not public like `/health`. A Prometheus server on the same machine reads them without
configuration (a request from the loopback interface); one elsewhere presents the bearer
token set in `BOKBOT_METRICS_TOKEN`. Without a token set, only loopback is let in.

A request relayed by a reverse proxy on the same machine arrives from loopback too, so one
that carries a forwarding header (`X-Forwarded-For`, `Forwarded`) does not count as local:
otherwise a proxy that is not listed in `BOKBOT_TRUSTED_PROXIES` would hand the metrics to
the whole world.
"""

from __future__ import annotations

import hmac
import ipaddress


def is_loopback(address: str | None) -> bool:
    """Whether `address` (an IP address as text) is this machine's loopback interface."""
    if not address:
        return False
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def may_read_metrics(remote: str | None, authorization: str, token: str, *, forwarded: bool) -> bool:
    """Whether a request from `remote` with the `Authorization` header `authorization` may read
    the metrics: it presents `Bearer <token>` (when a token is configured), or it comes
    straight from loopback (`forwarded`: it carries a proxy's forwarding header)."""
    if token and hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return True
    return is_loopback(remote) and not forwarded
