"""Flask extensions, created unbound and bound to the app in :func:`pim.create_app`."""

from __future__ import annotations

from flask import g, has_app_context, request
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

#: HTTP methods that do not change anything (see :func:`configure_sqlite`).
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_REQUEST_FLAG = "vitrine_write_request"
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations are deterministic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()


def configure_sqlite(engine: Engine) -> None:
    """Make pysqlite transactional in the SQL sense and tune it for a web app.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; we take it over
    (SQLAlchemy's documented recipe), enforce foreign keys and use WAL so readers do not
    block the writer.

    A request that may write (any method but GET, HEAD, OPTIONS) begins with ``BEGIN
    IMMEDIATE``, taking the write lock first: a deferred transaction that reads and then
    writes fails at once ("database is locked") when another writer committed in between,
    whatever the busy timeout, so concurrent API clients would see errors. Writers queue
    on the busy timeout instead. Reads, CLI commands and jobs begin deferred, so that a long
    job does not hold the lock while it reads.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=60000")  # writers queue (see below)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _request_may_write() else "BEGIN")


def _request_may_write() -> bool:
    """Whether this transaction is a write request's own (a task run inside the request,
    as the in-memory queue does, has its own app context and ``g``, and begins deferred:
    it must not wait for the lock its request holds)."""
    return has_app_context() and g.get(WRITE_REQUEST_FLAG, False)


def mark_write_request() -> None:
    """Before each request: note whether it may write (see :func:`configure_sqlite`)."""
    setattr(g, WRITE_REQUEST_FLAG, request.method not in READ_METHODS)
