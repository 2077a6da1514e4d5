"""The bot's settings: one typed, frozen object read from the environment and ``.env``.

Loaded once in :mod:`bot.__main__` and passed down; nothing reads the environment anywhere
else. Every key is documented in ``.env.example``. A missing or invalid value stops start-up
with one line naming the setting (:func:`load_settings`). The token is a ``SecretStr``: it is
never shown by ``repr``, logs or error messages.
"""

from __future__ import annotations

import re
import socket
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from briefings.urls import redacted_url

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LogFormat = Literal["text", "json"]


class SettingsError(Exception):
    """A setting is missing or invalid; the message names it and is safe to print."""


class Settings(BaseSettings):
    """Everything the bot can be configured with (see ``.env.example``)."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        frozen=True,
        extra="ignore",
        case_sensitive=False,
    )

    discord_token: SecretStr | None = None
    article_store: Path = Path("sample-store")
    article_sources: Annotated[tuple[str, ...], NoDecode] = ()
    source_poll_seconds: int = Field(default=300, ge=10, le=86_400)
    source_timeout_seconds: float = Field(default=15, gt=0, le=300)
    source_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    source_max_pages: int = Field(default=20, ge=1, le=1000)
    topic_catalog: Path | None = None
    index_cache: Path | None = Path("data/index-cache.sqlite3")
    """Where the store's index lives. Each process needs its own: see :meth:`index_cache_path`."""
    database_url: str = "sqlite+aiosqlite:///data/briefing-bot.sqlite3"
    discord_api_base_url: str | None = None
    discord_gateway_url: str | None = None
    shard_count: int | None = Field(default=None, ge=1, le=100_000)
    shard_ids: Annotated[tuple[int, ...] | None, NoDecode] = None
    worker_only: bool = False
    log_level: LogLevel = "INFO"
    log_format: LogFormat = "text"
    health_port: int | None = Field(default=None, ge=0, le=65535)
    health_host: str = "127.0.0.1"
    web_port: int | None = Field(default=None, ge=0, le=65535)
    web_host: str = "127.0.0.1"
    web_base_url: str | None = None
    discord_client_id: int | None = Field(default=None, ge=1)
    discord_client_secret: SecretStr | None = None
    web_secret_key: SecretStr | None = None
    store_rescan_seconds: int = Field(default=60, ge=5, le=86_400)
    misfire_grace_hours: float = Field(default=6, gt=0, le=24)
    catch_up_seconds: int = Field(default=600, ge=1, le=86_400)
    claim_lease_seconds: int = Field(default=600, ge=1, le=86_400)
    heartbeat_seconds: int = Field(default=5, ge=1, le=300)
    heartbeat_timeout_seconds: int = Field(default=15, ge=2, le=3600)
    instance_name: str | None = Field(default=None, max_length=200)
    default_digest_time: time = time(8, 0)
    default_digest_timezone: str = "UTC"
    briefing_per_topic: int = Field(default=5, ge=1, le=20)
    search_page_size: int = Field(default=5, ge=1, le=10)
    send_retry_attempts: int = Field(default=3, ge=1, le=10)
    send_retry_delay_seconds: float = Field(default=1.0, ge=0, le=60)
    command_rate: int = Field(default=8, ge=1, le=100)
    command_per_seconds: float = Field(default=10.0, gt=0, le=3600)
    shutdown_timeout_seconds: float = Field(default=20.0, gt=0, le=300)

    @field_validator("discord_token", mode="before")
    @classmethod
    def _token(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("article_sources", mode="before")
    @classmethod
    def _sources(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in re.split(r"[\s,]+", value) if part]
        if isinstance(value, list | tuple):
            for url in value:
                if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                    shown = redacted_url(url) if isinstance(url, str) else url
                    raise ValueError(
                        f"{shown!r} is not an http(s) URL (the local folder goes in ARTICLE_STORE)"
                    )
            return tuple(value)
        return value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _shard_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part for part in re.split(r"[\s,]+", value) if part]
            if not parts:
                return None
            try:
                return tuple(int(part) for part in parts)
            except ValueError:
                raise ValueError("must be shard numbers separated by commas, e.g. 0,1") from None
        return value

    @model_validator(mode="after")
    def _shards_fit(self) -> Settings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("SHARD_IDS needs SHARD_COUNT")
            wrong = [shard for shard in self.shard_ids if not 0 <= shard < self.shard_count]
            if wrong:
                raise ValueError(f"SHARD_IDS {wrong} are outside 0..{self.shard_count - 1}")
        return self

    @model_validator(mode="after")
    def _heartbeat_fits(self) -> Settings:
        if self.heartbeat_timeout_seconds < 2 * self.heartbeat_seconds:
            raise ValueError(
                "HEARTBEAT_TIMEOUT_SECONDS must be at least twice HEARTBEAT_SECONDS "
                f"({self.heartbeat_timeout_seconds} < 2 x {self.heartbeat_seconds}): one late "
                "heartbeat must not make a running process look dead"
            )
        return self

    @field_validator("instance_name", mode="before")
    @classmethod
    def _optional_name(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def role(self) -> str | None:
        """``"worker"``, ``"shards-0-1"`` for ``SHARD_IDS=0,1``, or None (every shard)."""
        if self.worker_only:
            return "worker"
        if self.shard_ids is not None:
            return "shards-" + "-".join(str(shard) for shard in self.shard_ids)
        return None

    def process_name(self) -> str:
        """This process's name among the running instances: ``INSTANCE_NAME``, else the host
        name and the role (``web1/shards-0-1``, ``web1/worker``, ``web1/all-shards``).

        A process that starts under the name of an instance still marked running declares
        that instance gone (it was this process, killed): its unfinished deliveries are taken
        over at once. Several workers on one host therefore need distinct ``INSTANCE_NAME``s.
        """
        return self.instance_name or f"{socket.gethostname()}/{self.role() or 'all-shards'}"

    def index_cache_path(self) -> Path | None:
        """This process's index cache: ``INDEX_CACHE`` with the process's role in the name.

        Processes started from one folder (``SHARD_IDS=0`` and ``SHARD_IDS=1``, a worker) must
        not share an index file, so ``data/index-cache.sqlite3`` becomes
        ``data/index-cache.shards-0.sqlite3``, ``…shards-1…`` or ``…worker…``; a process that
        runs every shard keeps the plain name.
        """
        role = self.role()
        if self.index_cache is None or role is None:
            return self.index_cache
        return self.index_cache.with_name(
            f"{self.index_cache.stem}.{role}{self.index_cache.suffix}"
        )

    def owns_guild(self, guild_id: int) -> bool:
        """Whether this process runs the shard of ``guild_id`` (all guilds without SHARD_IDS)."""
        if self.worker_only:
            return False
        if self.shard_ids is None or self.shard_count is None:
            return True
        return (guild_id >> 22) % self.shard_count in self.shard_ids

    @field_validator("discord_api_base_url")
    @classmethod
    def _api_base(cls, value: str | None) -> str | None:
        if not value:
            return None
        value = value.rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/api/v10") else f"{value}/api/v10"

    @field_validator("discord_gateway_url")
    @classmethod
    def _gateway(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("ws://", "wss://")):
            raise ValueError("must be a ws(s):// URL")
        return value

    @field_validator("default_digest_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("index_cache", mode="before")
    @classmethod
    def _optional_path(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in ("", "none", "off"):
            return None
        return value

    @field_validator("web_base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be the panel's public http(s) URL, e.g. https://bot.example.org")
        return value.rstrip("/")

    @field_validator("discord_client_secret", "web_secret_key", mode="before")
    @classmethod
    def _blank_secret(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("web_secret_key")
    @classmethod
    def _strong_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (e.g. `openssl rand -hex 32`)")
        return value

    @model_validator(mode="after")
    def _web_complete(self) -> Settings:
        if self.web_port is None:
            return self
        needed = {
            "WEB_BASE_URL": self.web_base_url,
            "DISCORD_CLIENT_ID": self.discord_client_id,
            "DISCORD_CLIENT_SECRET": self.discord_client_secret,
            "WEB_SECRET_KEY": self.web_secret_key,
        }
        for name, value in needed.items():
            if value is None:
                raise ValueError(f"WEB_PORT turns the web panel on, which needs {name} too")
        return self

    @field_validator("health_port", "web_port", "discord_client_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


def load_settings(*, require_token: bool = True, **overrides: object) -> Settings:
    """Read the settings; raise :class:`SettingsError` naming the first bad one.

    An empty ``DISCORD_TOKEN`` (as in a freshly copied ``.env.example``) counts as not set.
    """
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        reason = str(first["msg"]).removeprefix("Value error, ")
        if not first["loc"]:
            raise SettingsError(reason) from None
        name = str(first["loc"][0]).upper()
        if first["type"] == "missing":
            raise SettingsError(f"{name} is not set (see .env.example)") from None
        raise SettingsError(f"{name} is invalid: {reason}") from None
    if require_token and settings.discord_token is None:
        raise SettingsError("DISCORD_TOKEN is not set (see .env.example)")
    return settings


def token_of(settings: Settings) -> str:
    """The bot token, for discord.py's login only (never log or show it)."""
    if settings.discord_token is None:
        raise SettingsError("DISCORD_TOKEN is not set (see .env.example)")
    return settings.discord_token.get_secret_value()
