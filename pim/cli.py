"""The ``vitrine`` command line: ``users …``, ``serve`` and each domain's command group.

``vitrine`` is Flask's command line bound to :func:`pim.create_app`, so Flask-Migrate's
``vitrine db …`` and Flask's ``vitrine shell`` / ``routes`` work too. Commands own the
transaction: services flush, the command commits once at the end or rolls back on error.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import flask_migrate
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.serving import run_simple

from pim.auth import AuthError, create_user, issue_token, revoke_token
from pim.extensions import db
from pim.models import ApiToken, Product, Role, User
from pim.queue import current_queue

ADMIN_EMAIL = "admin@vitrine.local"
#: Written into the instance folder on first start; reused while it exists.
INITIAL_ADMIN_FILE = "initial_admin_password"

users_cli = AppGroup("users", help=_l("Manage users and their API tokens."))


def init_app(app: Flask) -> None:
    """Register every command group on the app's command line."""
    from pim.catalog_cli import pim_cli
    from pim.demo import demo_command
    from pim.translation_cli import translations_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(serve_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(pim_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(translations_cli)


def main() -> None:
    """Entry point of the ``vitrine`` console script."""
    from pim.i18n import localize_cli

    group = FlaskGroup(create_app=_create_app, help=_l("Vitrine: PIM + DAM for fashion retail."))
    localize_cli(group)  # help in the environment's language (LANG=fr_FR.UTF-8)
    group()


def _create_app() -> Flask:
    """The app for the command line; a bad setting is one clear line, not a traceback."""
    from pim import create_app
    from pim.config import ConfigError

    try:
        return create_app()
    except ConfigError as error:
        raise click.ClickException(_("configuration: %(error)s", error=error)) from None


@contextmanager
def command_transaction() -> Iterator[Session]:
    """Commit once when the block succeeds; roll back (and report AuthError cleanly) if not."""
    try:
        yield db.session
    except AuthError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


@contextmanager
def preserved_logging() -> Iterator[None]:
    """Undo what Alembic's ``env.py`` does to logging while migrations run.

    It applies ``alembic.ini``'s logging configuration, which replaces the root handlers and
    disables every logger created so far (the app's included).
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    enabled = [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.disabled
    ]
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for logger in enabled:
            logger.disabled = False


def upgrade_database() -> None:
    """Run the Alembic migrations up to head (in an app context), keeping logging intact."""
    with preserved_logging():
        flask_migrate.upgrade()


# --- vitrine users ------------------------------------------------------------------------


def _user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(_("no user with e-mail %(email)s", email=email))
    return user


@users_cli.command("create", help=_l("Create a user who can sign in to the UI."))
@click.argument("email")
@click.option(
    "--role", required=True, type=click.Choice([role.value for role in Role]), help=_l("Role.")
)
@click.option("--password", help=_l("Prompted for (hidden, twice) when omitted."))
@click.option("--name", default="", help=_l("Display name."))
def create_user_command(email: str, role: str, password: str | None, name: str) -> None:
    """Create a user who can sign in to the UI."""
    if password is None:
        password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    with command_transaction() as session:
        user = create_user(session, email, role, password, name=name)
        summary = f"Created user {user.email} ({user.role})."
    click.echo(summary)


@users_cli.command(
    "token", help=_l("Issue a personal API token; prints only the token (it is not shown again).")
)
@click.argument("email")
@click.option("--name", default="", help=_l("What the token is for, e.g. 'erp-sync'."))
def token_command(email: str, name: str) -> None:
    """Issue a personal API token; prints only the token (it is not shown again)."""
    with command_transaction() as session:
        token = issue_token(session, _user(session, email), name=name)
    click.echo(token)


@users_cli.command(
    "list", help=_l("List users with their role, status and number of active tokens.")
)
def list_command() -> None:
    """List users with their role, status and number of active tokens."""
    active_tokens = (
        select(func.count(ApiToken.id))
        .where(ApiToken.user_id == User.id, ApiToken.revoked_at.is_(None))
        .scalar_subquery()
    )
    rows = db.session.execute(select(User, active_tokens).order_by(User.email)).all()
    for user, tokens in rows:
        status = "active" if user.active else "inactive"
        click.echo(
            f"{user.email:<40} {user.role:<10} {status:<8} {tokens:>3} tokens  {user.name}".rstrip()
        )
    if not rows:
        click.echo(_("No users yet."))


@users_cli.command("revoke-tokens", help=_l("Revoke every active API token of a user."))
@click.argument("email")
def revoke_tokens_command(email: str) -> None:
    """Revoke every active API token of a user."""
    with command_transaction() as session:
        user = _user(session, email)
        live = [token for token in user.tokens if token.revoked_at is None]
        for token in live:
            revoke_token(session, token)
        summary = f"Revoked {len(live)} tokens of {user.email}."
    click.echo(summary)


# --- vitrine serve ------------------------------------------------------------------------


def _write_secret_file(path: Path) -> str:
    secret = secrets.token_urlsafe(12)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret + "\n")
    return secret


def ensure_first_admin(session: Session, instance: Path) -> str | None:
    """Create ``admin@vitrine.local`` when there is no user at all; return its password.

    The password is random, kept in ``<instance>/initial_admin_password`` (mode 0600) and
    reused while that file exists. None when users exist and the file is gone.
    """
    path = instance / INITIAL_ADMIN_FILE
    password = path.read_text().strip() if path.exists() else None
    if session.scalar(select(User.id).limit(1)) is not None:
        return password
    password = password or _write_secret_file(path)
    create_user(session, ADMIN_EMAIL, Role.ADMIN.value, password, name="Administrator")
    return password


def _load_demo_if_empty(session: Session) -> dict | None:
    """The demo catalogue, only into a database without products, attributes or families
    (someone who started with their own structure keeps it)."""
    from pim.models import Attribute, Family

    for model in (Product, Attribute, Family):
        if session.scalar(select(model.id).limit(1)) is not None:
            return None
    from pim.demo import load_demo

    return load_demo(session)


@click.command(
    "serve",
    help=_l("Migrate, create the first admin and the demo catalogue if needed, then serve."),
)
@click.option("--host", default="127.0.0.1", show_default=True, help=_l("Interface to bind."))
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--worker/--no-worker",
    default=True,
    show_default=True,
    help=_l("Run the job worker (imports, drop folders) in this process."),
)
@with_appcontext
def serve_command(host: str, port: int, worker: bool) -> None:
    """Migrate, create the first admin and the demo catalogue if needed, then serve."""
    app = current_app._get_current_object()
    upgrade_database()
    with command_transaction() as session:
        password = ensure_first_admin(session, Path(app.instance_path))
        demo = _load_demo_if_empty(session)
    if demo:
        counts = ", ".join(f"{count} {name}" for name, count in demo.items())
        click.echo(_("Loaded the demo catalogue: %(counts)s.", counts=counts))
    login = f"{ADMIN_EMAIL} / {password}" if password else "an existing account"
    click.echo(
        _(
            "Vitrine is running on http://%(host)s:%(port)s — log in as %(login)s",
            host=host,
            port=port,
            login=login,
        )
    )
    db.session.remove()
    consumer = current_queue().consumer() if worker else None
    if consumer is not None:
        _fail_abandoned_jobs()
        consumer.start()
        click.echo(_("The job worker runs in this process (--no-worker to run it apart)."))
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


def _fail_abandoned_jobs() -> None:
    """Before a worker starts: jobs a dead worker of this machine left "running" fail."""
    from pim.imports.jobs import fail_abandoned_jobs

    with command_transaction() as session:
        for job in fail_abandoned_jobs(session):
            click.echo(
                _(
                    "Import %(id)s (%(filename)s) was left running by a stopped worker.",
                    id=job.id,
                    filename=job.filename,
                )
            )
    db.session.remove()


@click.command(
    "worker",
    help=_l("Run the job worker: imports, drop folders and other background jobs (Ctrl+C stops)."),
)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@with_appcontext
def worker_command(workers: int) -> None:
    """Run the job worker: imports, drop folders and other background jobs (Ctrl+C stops)."""
    upgrade_database()
    db.session.remove()
    click.echo(
        _(
            "Worker listening on %(queue_url)s with %(workers)s thread(s).",
            queue_url=current_app.config["QUEUE_URL"],
            workers=workers,
        )
    )
    consumer = current_queue().consumer(workers=workers)
    if consumer is None:
        raise click.ClickException(_("the in-memory queue runs tasks at once; no worker needed"))
    _fail_abandoned_jobs()
    consumer.run()
