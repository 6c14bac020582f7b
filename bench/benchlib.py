"""Helpers shared by the benchmarks: scratch databases, the app, timing statistics.

A scratch database is a file in a temporary folder on SQLite, or a ``vitrine_bench_<hex>``
database created next to ``--database-url`` on PostgreSQL (dropped afterwards).
"""

from __future__ import annotations

import platform
import secrets
import sqlite3
import statistics
import subprocess
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from pim import create_app
from pim.cli import upgrade_database
from pim.config import sqlalchemy_url


def _admin(base_url: str, statement: str) -> None:
    engine = create_engine(sqlalchemy_url(base_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def create_database(base_url: str | None, folder: Path, template: str | None = None) -> str:
    """A new database: empty, or a copy of ``template`` (a URL made by this function)."""
    if base_url is None or base_url.startswith("sqlite"):
        path = folder / f"bench_{secrets.token_hex(4)}.db"
        if template:
            _copy_sqlite(make_url(template).database, path)
        return f"sqlite:///{path}"
    name = f"vitrine_bench_{secrets.token_hex(4)}"
    clause = f' TEMPLATE "{make_url(template).database}"' if template else ""
    _admin(base_url, f'CREATE DATABASE "{name}"{clause}')
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_database(base_url: str | None, url: str) -> None:
    """Drop a PostgreSQL scratch database (SQLite files go with their folder)."""
    if url.startswith("postgresql"):
        _admin(base_url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _copy_sqlite(source: str, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


def make_app(url: str, folder: Path, migrate: bool = True):
    """The Vitrine app on ``url`` (schema built by the migrations when ``migrate``)."""
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(folder / f"instance_{secrets.token_hex(4)}"),
            "SECRET_KEY": "bench-" + "x" * 26,
            "WTF_CSRF_ENABLED": False,
        }
    )
    if migrate:
        with app.app_context():
            upgrade_database()
    return app


def percentiles(samples_ms: list[float]) -> dict:
    """p50, p95 and max of timings in milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {"p50": statistics.median(ordered), "p95": p95, "max": ordered[-1]}


def machine() -> str:
    """CPU model and count, memory, Python and OS, for the report."""
    cpu = "unknown CPU"
    info = Path("/proc/cpuinfo")
    if info.exists():
        names = [ln.split(":", 1)[1].strip() for ln in info.read_text().splitlines()
                 if ln.startswith("model name")]  # fmt: skip
        cpu = f"{names[0]} × {len(names)}" if names else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    return f"{cpu}{memory}, Python {platform.python_version()}, {platform.platform()}"


def postgres_version(url: str) -> str:
    """``SELECT version()`` of a PostgreSQL URL, or the SQLite library version."""
    if not url.startswith("postgresql"):
        return f"SQLite {sqlite3.sqlite_version}"
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            return "PostgreSQL " + connection.exec_driver_sql("SHOW server_version").scalar()
    finally:
        engine.dispose()


def git_revision() -> str:
    """The current commit (short), for the report."""
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
