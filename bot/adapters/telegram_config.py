"""The Telegram bot's configuration: environment variables (and ``./.env``), checked at start-up.

=========================  ==========================================================
``TELEGRAM_BOT_TOKEN``     the token BotFather gave (required; a ``SecretStr``, never logged)
``JIXIAO_ALLOWED_USERS``   Telegram user ids, comma-separated; empty means **nobody**
``JIXIAO_DATA_DIR``        the store (default ``./jixiao-data``)
``TELEGRAM_API_URL``       Bot API base URL (default ``https://api.telegram.org/bot``); PTB
                           appends the token, or replaces ``{token}`` when the URL has it
``TELEGRAM_FILE_API_URL``  file download base URL (default: derived from the API URL)
``JIXIAO_WEBHOOK_SECRET``  the webhook's secret token (default: a random one per start)
=========================  ==========================================================

:func:`load_config` turns every problem into one line that names the variable and
never repeats a secret value (:class:`ConfigError`).
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

OFFICIAL_API_URL = "https://api.telegram.org/bot"
TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token


class ConfigError(Exception):
    """The configuration is missing or malformed; the message is one line for a person."""


class TelegramConfig(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    bot_token: SecretStr = Field(validation_alias="TELEGRAM_BOT_TOKEN")
    allowed_users: Annotated[frozenset[int], NoDecode] = Field(frozenset(), validation_alias="JIXIAO_ALLOWED_USERS")
    data_dir: Path = Field(Path("jixiao-data"), validation_alias="JIXIAO_DATA_DIR")
    api_url: str = Field(OFFICIAL_API_URL, validation_alias="TELEGRAM_API_URL")
    file_api_url: str | None = Field(None, validation_alias="TELEGRAM_FILE_API_URL")
    webhook_secret: SecretStr | None = Field(None, validation_alias="JIXIAO_WEBHOOK_SECRET")

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not TOKEN_RE.match(value.get_secret_value().strip()):
            raise ValueError("does not look like a bot token (BotFather gives one like 123456789:AAH...)")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("allowed_users", mode="before")
    @classmethod
    def _user_ids(cls, value: object) -> frozenset[int]:
        if value is None:
            return frozenset()
        if isinstance(value, (set, frozenset, list, tuple)):
            items = [str(v) for v in value]
        else:
            items = [part for part in re.split(r"[,\s]+", str(value)) if part]
        ids = set()
        for item in items:
            if not item.isdigit() or int(item) <= 0:
                raise ValueError(f"{item!r} is not a Telegram user id (positive numbers, comma-separated)")
            ids.add(int(item))
        return frozenset(ids)

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("api_url", "file_api_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http:// or https:// URL, e.g. https://api.telegram.org/bot")
        if "{token}" in value:
            return value
        if parts.path in ("", "/"):  # a bare server address: the Bot API's own path scheme
            return value.rstrip("/") + "/bot"
        if not value.endswith("/bot"):
            raise ValueError("must end with /bot (the token is appended) or contain {token}")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not SECRET_RE.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    # ------------------------------------------------------------------ derived
    @property
    def token(self) -> str:
        return self.bot_token.get_secret_value()

    @property
    def base_file_url(self) -> str:
        """Where files are downloaded: ``…/file/bot<token>`` beside ``…/bot<token>``."""
        if self.file_api_url:
            return self.file_api_url
        if "/bot{token}" in self.api_url:
            return self.api_url.replace("/bot{token}", "/file/bot{token}", 1)
        return self.api_url.removesuffix("/bot") + "/file/bot"

    def webhook_secret_value(self) -> str:
        """The configured secret, or a fresh random one (Telegram re-learns it on setWebhook)."""
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value()
        return secrets.token_urlsafe(32)


def _field_names() -> dict[str, str]:
    return {name: str(field.validation_alias) for name, field in TelegramConfig.model_fields.items()}


def describe(error: ValidationError) -> str:
    """One line naming each bad variable; the input values (maybe secrets) are never shown."""
    names = _field_names()
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        field = str(item["loc"][0]) if item["loc"] else ""
        name = names.get(field, field)
        if item["type"] == "missing":
            problems.append(f"{name} is not set (put it in the environment or in ./.env)")
        else:
            problems.append(f"{name} {item['msg'].removeprefix('Value error, ')}")
    return "; ".join(problems)


def load_config(**overrides) -> TelegramConfig:
    """The configuration from the environment and ``./.env`` (``overrides`` win); :class:`ConfigError` if bad."""
    try:
        config = TelegramConfig(**overrides)
    except ValidationError as error:
        raise ConfigError(describe(error)) from None
    try:
        config.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"JIXIAO_DATA_DIR {config.data_dir}: cannot create it ({error.strerror})") from None
    return config
