"""Configuration: defaults in one place, overridden by ``VITRINE_*`` environment variables.

Every embedded default (SQLite database, file storage, job queue, search index, secret key)
lives under the instance folder, so one directory holds a whole self-contained deployment.
The URL forms documented in the README are a stable contract with deployments.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

ENV_PREFIX = "VITRINE"

#: Settings read from the environment, with a one-line description used in error messages
#: and in the README configuration table.
SETTINGS = {
    "INSTANCE_PATH": "folder holding every embedded default (database, files, queue, index)",
    "DATABASE_URL": "sqlite:///… (default, in the instance folder) or postgresql://…",
    "SECRET_KEY": "session signing key; generated into the instance folder when absent",
    "STORAGE_URL": "file:///abs/path (default) or s3://bucket/prefix?endpoint_url=…",
    "QUEUE_URL": "sqlite:///abs/path (default) or redis://host:port/db",
    "SEARCH_URL": "whoosh:///abs/path (default) or postgresql://…",
    "HISTORY_RETENTION_DAYS": "default age (days) for `vitrine pim purge-history`",
    "MEDIA_SETTINGS": (
        "TOML file with rendition presets and the preset each channel uses (default: built-in)"
    ),
    "MAX_IMAGE_PIXELS": "largest image (pixels) the DAM decodes; bigger ones are refused",
    "FETCH_ALLOWED_NETWORKS": (
        "comma-separated CIDRs that image downloads may reach despite the SSRF guard "
        "(default: none)"
    ),
    "FEEDS_BASE_URL": "public http(s) address of this Vitrine, for image and pull links in feeds",
    "API_RATE_LIMIT": (
        "requests each API token may make, e.g. `1200/minute;50/second` (default); `off` disables"
    ),
    "RATE_LIMIT_URL": "memory:// (default, one process) or redis://host:port/db (shared)",
    "WEBHOOKS_RETRY_BASE_SECONDS": (
        "first delay (seconds) before retrying a failed webhook delivery; doubles each time"
    ),
    "WEBHOOKS_MAX_ATTEMPTS": "attempts of a webhook delivery before it is marked dead",
    "WEBHOOKS_TIMEOUT": "seconds a webhook receiver has to answer (connection included)",
    "TRANSLATION_SOURCE_LOCALE": (
        "locale translations are made from; others become outdated when its text changes"
    ),
}


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


def _env(name: str) -> str | None:
    value = os.environ.get(f"{ENV_PREFIX}_{name}")
    return value.strip() if value and value.strip() else None


def build_config(test_config: dict | None = None) -> dict:
    """Return the validated configuration: defaults < environment < ``test_config``."""
    overrides = dict(test_config or {})
    instance = Path(
        overrides.pop("INSTANCE_PATH", None) or _env("INSTANCE_PATH") or "instance"
    ).resolve()
    config: dict = {
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'vitrine.db'}",
        "STORAGE_URL": (instance / "files").as_uri(),
        "QUEUE_URL": f"sqlite:///{instance / 'queue.db'}",
        "SEARCH_URL": f"whoosh://{instance / 'search'}",
        "HISTORY_RETENTION_DAYS": 365,
        "FETCH_ALLOWED_NETWORKS": "",
        "MEDIA_SETTINGS": "",
        "MAX_IMAGE_PIXELS": 100_000_000,
        "FEEDS_BASE_URL": "http://127.0.0.1:5000",
        "API_RATE_LIMIT": "1200/minute;50/second",
        "RATE_LIMIT_URL": "memory://",
        "WEBHOOKS_RETRY_BASE_SECONDS": 30,
        "WEBHOOKS_MAX_ATTEMPTS": 8,
        "WEBHOOKS_TIMEOUT": 5,
        "TRANSLATION_SOURCE_LOCALE": "en_US",
        "SECRET_KEY": None,
    }
    for name in SETTINGS:
        if name != "INSTANCE_PATH" and (value := _env(name)) is not None:
            config[name] = value
    config.update(overrides)
    validate(config)
    return config


def validate(config: dict) -> None:
    """Raise :class:`ConfigError` naming the first bad setting."""
    _check_url(config, "DATABASE_URL", {"sqlite", "postgresql", "postgresql+psycopg"})
    _check_url(config, "STORAGE_URL", {"file", "s3", "memory"})
    _check_url(config, "QUEUE_URL", {"sqlite", "redis", "memory"})
    _check_url(config, "SEARCH_URL", {"whoosh", "postgresql", "memory"})
    try:
        days = int(config["HISTORY_RETENTION_DAYS"])
    except (TypeError, ValueError):
        days = -1
    if days < 1:
        raise ConfigError(
            f"{ENV_PREFIX}_HISTORY_RETENTION_DAYS must be a positive number of days, "
            f"got {config['HISTORY_RETENTION_DAYS']!r}"
        )
    config["HISTORY_RETENTION_DAYS"] = days
    secret = config.get("SECRET_KEY")
    if secret is not None and len(str(secret)) < 16:
        raise ConfigError(f"{ENV_PREFIX}_SECRET_KEY must be at least 16 characters long")
    _check_networks(config, "FETCH_ALLOWED_NETWORKS")
    _check_url(config, "FEEDS_BASE_URL", {"http", "https"})
    try:
        pixels = int(config["MAX_IMAGE_PIXELS"])
    except (TypeError, ValueError):
        pixels = 0
    if pixels < 1_000_000:
        raise ConfigError(
            f"{ENV_PREFIX}_MAX_IMAGE_PIXELS must be a number of pixels of at least 1000000, "
            f"got {config['MAX_IMAGE_PIXELS']!r}"
        )
    config["MAX_IMAGE_PIXELS"] = pixels
    _check_url(config, "RATE_LIMIT_URL", {"memory", "redis"})
    _check_rate_limit(config, "API_RATE_LIMIT")
    source = str(config.get("TRANSLATION_SOURCE_LOCALE") or "")
    if not re.fullmatch(r"[a-z]{2,3}(_[A-Z][a-z]{3})?(_[A-Z]{2}|_\d{3})?", source):
        raise ConfigError(
            f"{ENV_PREFIX}_TRANSLATION_SOURCE_LOCALE={source!r} is not a locale code like en_US"
        )
    _check_number(config, "WEBHOOKS_RETRY_BASE_SECONDS", 0, "a number of seconds")
    _check_number(config, "WEBHOOKS_MAX_ATTEMPTS", 1, "a whole number of attempts", whole=True)
    _check_number(config, "WEBHOOKS_TIMEOUT", 0.1, "a number of seconds")


def _check_number(config: dict, name: str, minimum: float, what: str, whole=False) -> None:
    """``name`` must be a number (whole if ``whole``) of at least ``minimum``."""
    try:
        value = (int if whole else float)(config[name])
    except (TypeError, ValueError):
        value = None
    if value is None or value < minimum:
        raise ConfigError(
            f"{ENV_PREFIX}_{name} must be {what} of at least {minimum:g}, got {config[name]!r}"
        )
    config[name] = value


def _check_url(config: dict, name: str, schemes: set[str]) -> None:
    value = str(config.get(name) or "")
    scheme = urlsplit(value).scheme
    if scheme not in schemes:
        allowed = ", ".join(f"{s}://" for s in sorted(schemes))
        raise ConfigError(f"{ENV_PREFIX}_{name}={value!r} is not supported; use one of {allowed}")
    if scheme == "sqlite" and not value.startswith("sqlite:///"):
        raise ConfigError(f"{ENV_PREFIX}_{name}={value!r}: SQLite URLs need an absolute path")


def _check_rate_limit(config: dict, name: str) -> None:
    """``off`` or limits such as ``1200/minute;50/second`` (``N/second|minute|hour|day``)."""
    value = str(config.get(name) or "").strip()
    if value.lower() == "off":
        return
    from limits import parse_many  # Flask-Limiter's own parser

    try:
        if not parse_many(value):
            raise ValueError(value)
    except ValueError:
        raise ConfigError(
            f"{ENV_PREFIX}_{name}={value!r} is not a rate limit; write e.g. "
            "1200/minute;50/second, or off"
        ) from None


def _check_networks(config: dict, name: str) -> None:
    """Each comma-separated entry must be an IP network (``10.0.0.0/8``) or address."""
    value = config.get(name) or ""
    entries = value.split(",") if isinstance(value, str) else value
    for entry in (str(entry).strip() for entry in entries):
        try:
            if entry:
                ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(
                f"{ENV_PREFIX}_{name}: {entry!r} is not a network in CIDR form "
                "(e.g. 10.0.0.0/8 or fd00::/8)"
            ) from None


def sqlalchemy_url(database_url: str) -> str:
    """Map the public URL form onto the SQLAlchemy driver we ship (psycopg 3)."""
    if database_url.startswith("postgresql://"):
        return "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return database_url


def ensure_secret_key(instance: Path) -> str:
    """Read the instance's secret key, generating it (mode 0600) on first start."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
