"""Settings, read from ``LIVEDESK_*`` environment variables and an optional ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")


# How uvicorn serves livedesk (and the benchmark's ceilings, so that they run the same stack):
# uvloop and httptools; no permessage-deflate (it triples the memory of each socket).
SERVER_OPTIONS: dict[str, object] = {
    "loop": "uvloop",
    "http": "httptools",
    "ws": "websockets-sansio",
    "ws_per_message_deflate": False,
    "log_level": "info",
    "access_log": False,
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LIVEDESK_", env_file=".env", extra="ignore")

    database_url: str = ""
    redis_url: str = ""
    # Nodes sharing one database must share this; separate deployments on one Redis must not.
    redis_channel: str = "livedesk:events"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    secret_key: str = ""
    telegram_api_url: str = "https://api.telegram.org"
    data_dir: Path = DEFAULT_DATA_DIR
    # Cookies marked Secure only reach the server over HTTPS; off by default so that
    # `make run` on http://127.0.0.1 works.
    secure_cookies: bool = False
    event_retention_days: int = 7
    login_attempts_per_minute: int = 10
    max_message_chars: int = 10_000
    max_body_bytes: int = 1024 * 1024
    ui_dir: Path | None = None
    # Attachments: uploads over this size are refused (413 file_too_large). Files live on
    # local disk under ``files_dir`` (default ``<data_dir>/files``); several nodes need it shared.
    max_upload_bytes: int = 10 * 1024 * 1024
    files_dir: Path | None = None
    # Messenger replies (jobs/outbox.py): retried with exponential backoff from base to max,
    # then failed with the reason after max attempts. A 429's retry_after wins over backoff.
    outbox_max_attempts: int = 10
    outbox_backoff_base_secs: float = 1.0
    outbox_backoff_max_secs: float = 600.0
    outbox_poll_secs: float = 1.0
    # Timeout of one outbound request (Bot API call, API channel POST).
    channel_http_timeout_secs: float = 20.0
    # How long creating or editing a telegram channel waits for setWebhook before answering
    # with ``webhook_error`` (the next start or `livedesk telegram set-webhook` retries).
    telegram_webhook_timeout_secs: float = 5.0

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'livedesk.db').resolve()}"

    def resolved_files_dir(self) -> Path:
        return self.files_dir if self.files_dir is not None else self.data_dir / "files"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url().startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
