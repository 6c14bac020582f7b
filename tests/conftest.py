"""Shared test infrastructure: every database test runs on SQLite and on PostgreSQL.

Fixtures (names are a contract with every test module):

``database_url``  session, parametrized ``sqlite`` / ``postgresql``: a fresh empty database.
``app``           session: the application on that database, schema built by the migrations.
``db_session``    function: ``db.session`` on one connection inside an outer transaction that
                  is rolled back after the test; commits in services, views and commands only
                  release savepoints, so nothing survives the test.
``client``        a test client on that transaction; ``cli_runner`` the same for commands.
``make_user``     factory: ``make_user(email=None, role="editor", password=…)``.
``login``         ``login(client, user)`` signs a client in (``password=`` goes through /login).
``logged_in_client``  factory: ``logged_in_client(role="editor")`` → a signed-in client.
``scratch_database_url``  an extra empty database on the run's backend, dropped afterwards.

Each request or command runs in its own app context (a fresh ``g``) but on the test's
session: what the test wrote is committed (to a savepoint) first, as it would be in real
life, and whatever the request or command left uncommitted is rolled back after it.
"""

from __future__ import annotations

import itertools
import os
import secrets

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import scoped_session

from pim import create_app
from pim.auth import create_user
from pim.cli import upgrade_database
from pim.config import sqlalchemy_url
from pim.extensions import db

#: ``catalog`` and the other fixtures of the shared factories module.
pytest_plugins = ["factories"]

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_PASSWORD = "correct horse battery"
REQUIRE_POSTGRES = "VITRINE_REQUIRE_POSTGRES"


# --- databases -------------------------------------------------------------------------


def _postgres_base_url() -> str:
    return os.environ.get("VITRINE_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def _postgres_admin(base_url: str, statement: str) -> None:
    engine = create_engine(
        sqlalchemy_url(base_url),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 5},
    )
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def create_postgres_database() -> str:
    """Create an empty ``vitrine_test_<hex>`` database (runs may overlap) and return its URL.

    Skips the calling test when PostgreSQL is unreachable, or fails it when
    ``VITRINE_REQUIRE_POSTGRES=1``.
    """
    base_url = _postgres_base_url()
    name = f"vitrine_test_{secrets.token_hex(6)}"
    try:
        _postgres_admin(base_url, f'CREATE DATABASE "{name}"')
    except OperationalError as error:
        message = (
            f"PostgreSQL is not reachable at {make_url(base_url)!r} "
            f"(set VITRINE_TEST_POSTGRES_URL): {str(error.orig).strip()}"
        )
        if os.environ.get(REQUIRE_POSTGRES) == "1":
            pytest.fail(f"{REQUIRE_POSTGRES}=1 but {message}", pytrace=False)
        pytest.skip(message)
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    """Drop a database made by :func:`create_postgres_database`, even with open sessions."""
    name = make_url(url).database
    _postgres_admin(_postgres_base_url(), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", "postgresql"], ids=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """A fresh, empty database for the whole run, on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'vitrine.db'}"
        return
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture
def scratch_database_url(database_url, tmp_path):
    """Another empty database on the same backend, for tests that must commit or migrate."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


# --- the app and the rollback session ----------------------------------------------------


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The application for the run; the schema comes from the Alembic migrations."""
    application = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
            "SECRET_KEY": "x" * 32,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "QUEUE_URL": "memory://",
            "SEARCH_URL": "memory://",
            "API_RATE_LIMIT": "100000/minute;10000/second",
        }
    )
    with application.app_context():
        upgrade_database()
    yield application
    with application.app_context():
        db.engine.dispose()


class _ConnectionBoundSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy's session picks its engine itself and would ignore ``bind=``;
    this one always uses the connection it was given (the test's outer transaction)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


class _TestScopedSession(scoped_session):
    """One session for the whole test, surviving the app contexts of requests and commands.

    Flask-SQLAlchemy calls ``remove()`` when an app context ends; here that rolls back
    what the request or command left uncommitted but keeps the test's objects attached.
    """

    def remove(self) -> None:
        if self.registry.has():
            self.registry().rollback()

    def dispose(self) -> None:
        """Close the session for good (end of the test)."""
        if self.registry.has():
            self.registry().close()
        self.registry.clear()


@pytest.fixture
def db_session(app):
    """``db.session`` inside a transaction rolled back after the test (commits included)."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        factory = db._make_session_factory(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": _ConnectionBoundSession,
            }
        )
        db.session = _TestScopedSession(factory)
        app.extensions["vitrine_search"].backend.clear()  # the test's rows only
        try:
            yield db.session
        finally:
            db.session.dispose()
            db.session = original
            if outer.is_active:
                outer.rollback()
            connection.close()


def _hand_over() -> None:
    """Before a request or command: what the test wrote becomes visible as committed."""
    db.session.commit()


class RollbackClient(FlaskClient):
    """A test client whose requests each get a fresh app context on the test's session."""

    def run_wsgi_app(self, environ, buffered=False):
        _hand_over()
        with self.application.app_context():
            return super().run_wsgi_app(environ, buffered=buffered)


class RollbackCliRunner(FlaskCliRunner):
    """A CLI runner whose invocations each get a fresh app context on the test's session."""

    def invoke(self, cli=None, args=None, **kwargs):
        _hand_over()
        with self.app.app_context():
            return super().invoke(cli, args, **kwargs)


@pytest.fixture
def client(app, db_session):
    """A Flask test client on the test's rolled-back transaction."""
    return RollbackClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def cli_runner(app, db_session):
    """``app.test_cli_runner()`` on the test's rolled-back transaction."""
    return RollbackCliRunner(app)


# --- users -------------------------------------------------------------------------------


@pytest.fixture
def make_user(db_session):
    """Factory: ``make_user(email=None, role="editor", password=…, name="")`` → a User."""
    numbers = itertools.count(1)

    def make(email=None, role="editor", password=DEFAULT_PASSWORD, name=""):
        email = email or f"{role}{next(numbers)}@example.com"
        return create_user(db_session, email, role, password, name=name)

    return make


@pytest.fixture
def login():
    """``login(client, user)`` puts the user in the client's session (no view involved);
    ``login(client, user, password=…)`` posts the login form and returns the response."""

    def log_in(client, user, password=None):
        if password is not None:
            return client.post("/login", data={"email": user.email, "password": password})
        app = client.application
        with app.test_request_context(environ_base=client.environ_base):
            # what Flask-Login's session protection compares (remote address, user agent)
            identifier = app.login_manager._session_identifier_generator()
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
            session["_id"] = identifier
        return None

    return log_in


@pytest.fixture
def logged_in_client(app, db_session, make_user, login):
    """Factory: ``logged_in_client(role="editor")`` → a new client signed in as a new user
    of that role (the user is ``client.user``)."""

    def make(role="editor", **user_fields):
        user = make_user(role=role, **user_fields)
        signed_in = RollbackClient(app, app.response_class, use_cookies=True)
        login(signed_in, user)
        signed_in.user = user
        return signed_in

    return make


# --- VITRINE_REQUIRE_POSTGRES=1: the PostgreSQL half of the suite must really run ---------

_postgres_runs = {"passed": 0, "skipped": []}


def pytest_runtest_logreport(report):
    """Count the PostgreSQL tests that passed and those that were skipped."""
    if "[postgresql" not in report.nodeid:
        return
    if report.skipped and not hasattr(report, "wasxfail"):
        _postgres_runs["skipped"].append(report.nodeid)
    elif report.when == "call" and report.passed:
        _postgres_runs["passed"] += 1


def _postgres_problem() -> str | None:
    if os.environ.get(REQUIRE_POSTGRES) != "1":
        return None
    if _postgres_runs["skipped"]:
        skipped = _postgres_runs["skipped"]
        return (
            f"{REQUIRE_POSTGRES}=1 but {len(skipped)} PostgreSQL tests were skipped, "
            f"e.g. {skipped[0]}"
        )
    if not _postgres_runs["passed"]:
        return f"{REQUIRE_POSTGRES}=1 but no test passed on PostgreSQL"
    return None


def _is_xdist_worker(config) -> bool:
    """Under pytest-xdist each worker sees only its share of the tests; the controller gets
    every worker's reports (through ``pytest_runtest_logreport``) and decides."""
    return hasattr(config, "workerinput")


def pytest_sessionfinish(session, exitstatus):
    """Fail the run when PostgreSQL was required but did not really run."""
    if _is_xdist_worker(session.config):
        return
    if _postgres_problem() and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    """Say why a run with every test green still failed."""
    if _is_xdist_worker(terminalreporter.config):
        return
    if problem := _postgres_problem():
        terminalreporter.write_line(f"FAILED: {problem}", red=True, bold=True)


# --- pytest-xdist: tests sharing something outside their process run on one worker -------


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (``--dist loadgroup``)
def pytest_collection_modifyitems(items):
    """Group the browser tests (one live server and one Chromium, not one per worker) and
    the tests whose worker flushes and consumes the shared Redis queue."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if {"browser", "live_server"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("browser"))
        elif callspec and callspec.params.get("worker_app") == "redis":
            item.add_marker(pytest.mark.xdist_group("redis-queue"))


# --- a real S3 server (SeaweedFS ``weed mini``) ---------------------------------------------


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A running S3 server for the whole run (see ``tests/s3server.py``).

    While it runs, the AWS credential variables name its dummy identity, so storages
    opened from ``s3_server.storage_url(bucket)`` authenticate through the usual chain.
    Fails (never skips) when no ``weed`` executable is installed: the S3 tests must run.
    """
    import s3server

    try:
        s3server.find_weed()
        missing = None
    except s3server.WeedNotFound as error:
        missing = str(error)
    if missing:
        pytest.fail(missing, pytrace=False)
    workdir = tmp_path_factory.mktemp("s3-server")
    with s3server.aws_environment(), s3server.start_weed(workdir) as server:
        yield server
