"""The installation's configuration: one typed object read from the environment and `.env`.

Every process (gateway, action server, command line) reads its settings here, so that no
module reads `os.environ` on its own. What only one channel needs is that channel's own
settings object, read the same way: Telegram's in `channels.telegram.settings`, the mail
server's in `ledger.documents.mail`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Bokbot's settings; each field is read from `BOKBOT_<FIELD>` (e.g. `BOKBOT_DATABASE_URL`).

    Attributes:
      database_url: SQLAlchemy URL of the books; the embedded default is SQLite in `var/`.
      host: the interface the gateway binds to.
      gateway_port, rasa_port, action_port: the three processes' ports.
      rasa_url: where the gateway reaches the Rasa server; several comma-separated addresses
        to spread the turns over several Rasa servers.
      public_url: the address people open the web chat at (printed by `bokbot up`).
      shared_data: the official data files (SAF-T, PEPPOL, VAT code lists).
      link_code_ttl_hours: how long a Telegram link code stays valid.
      allowed_origins: extra origins allowed to open the web chat's websocket.
      secret: the server secret that signs identities, link codes and download grants; made
        into `var/server-secret` on first use when empty (set it when several machines serve).
      rasa_token: the Rasa server's API token; made into `var/rasa-token` when empty.
      chat_in_flight, chat_per_minute, chat_burst: how many messages one person may have
        being answered at once, send a minute, and send at once after a quiet spell.
      redis_url: Redis (`redis://host:6379/0`) for Rasa's conversation locks and the gateways'
        per-user limits when several processes serve; none by default.
      stt: the speech-to-text engine: "pocketsphinx" (embedded, the default), "faster-whisper"
        or "vosk" (`channels.voice.recognition`).
      stt_model_path: the model folder for faster-whisper or vosk; never downloaded at run time.
      voice_max_seconds: the longest spoken message taken.
      trusted_proxies: addresses of the reverse proxies in front of the gateways (JSON list,
        e.g. `["127.0.0.1"]`); from them `X-Forwarded-For` names the client (`channels.proxy`).
      metrics_token: the bearer token a Prometheus server elsewhere presents to read `/metrics`
        on the gateway and the action server; without it only this machine may read them
        (see `ledger.metrics_access` for why they are not public).
      ocr_jobs: how many receipts a gateway reads by OCR at once (this machine's CPU count by
        default); more wait their turn (`channels.receipts.ocr.OcrQueue`).
    """

    model_config = SettingsConfigDict(env_prefix="BOKBOT_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'bokbot.db'}"
    host: str = "127.0.0.1"
    gateway_port: int = 8080
    rasa_port: int = 5005
    action_port: int = 5055
    rasa_url: str = ""
    public_url: str = ""
    var_dir: Path = PROJECT_ROOT / "var"
    models_dir: Path = PROJECT_ROOT / "models"
    shared_data: Path = PROJECT_ROOT.parent / "shared" / "data"
    link_code_ttl_hours: int = 72
    allowed_origins: list[str] = Field(default_factory=list)
    secret: str = ""
    rasa_token: str = ""
    redis_url: str = ""
    chat_in_flight: int = 2
    chat_per_minute: float = 30.0
    chat_burst: int = 10
    stt: str = "pocketsphinx"
    stt_model_path: Path | None = None
    voice_max_seconds: float = 30.0
    trusted_proxies: list[str] = Field(default_factory=list)
    metrics_token: str = ""
    ocr_jobs: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)

    @property
    def rasa_base_url(self) -> str:
        return self.rasa_url or f"http://127.0.0.1:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.gateway_port}/"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
