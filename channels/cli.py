"""``vitrine channels …``: save, show and list feeds; build one now.

Commands own the transaction: the run is committed when it starts (so a second build of
the same feed is refused) and when it ends.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from channels.destinations import pull_path
from channels.feeds import SETTINGS, get_feed, save_feed
from channels.models import Feed, FeedRun, RunStatus
from channels.runs import FeedBusy, default_base_url, run_feed
from pim.extensions import db
from pim.services.errors import DomainError, NotFound

channels_cli = AppGroup("channels", help=_l("Sales channel feeds: save, show, list, export."))


def init_app(app: Flask) -> None:
    app.cli.add_command(channels_cli)


@channels_cli.command(
    "export",
    help=_l(
        "Build feed CODE now and print what it included and excluded, by reason; exit code 1 "
        "when the run failed or was held."
    ),
)
@click.argument("code")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help=_l("Also write here."))
@click.option("--base-url", help=_l("Base of image links (default: VITRINE_FEEDS_BASE_URL)."))
@click.option("--delta", is_flag=True, help=_l("Only what changed since the last published run."))
@click.option("--json", "as_json", is_flag=True, help=_l("Print the run as JSON."))
@with_appcontext
def export_command(code: str, out: Path | None, base_url: str | None, delta: bool, as_json: bool):
    """Build feed CODE now and print what it included and excluded, by reason; exit code 1
    when the run failed or was held."""
    session = db.session
    try:
        feed = get_feed(session, code)
        run = run_feed(
            session, feed, out=out, base_url=base_url, commit=session.commit, delta=delta
        )
    except (NotFound, FeedBusy) as error:
        raise click.ClickException(str(error)) from None
    if as_json:
        click.echo(json.dumps(run_dict(run), indent=2, ensure_ascii=False))
    else:
        _print_run(run)
    if run.status != RunStatus.SUCCEEDED:
        sys.exit(1)


def run_dict(run: FeedRun) -> dict:
    """A run as printed by ``--json``."""
    return {
        "feed": run.feed.code,
        "run": run.id,
        "status": run.status,
        "delta": run.delta,
        "message": run.message,
        "included": run.included,
        "excluded": run.excluded,
        "exclusions": run.exclusions or {},
        "errors": run.errors or [],
        "output": run.storage_key,
        "size": run.size,
    }


def _print_run(run: FeedRun) -> None:
    click.echo(
        _("feed %(code)s: run %(id)s %(status)s", code=run.feed.code, id=run.id, status=run.status)
    )
    if run.message:
        click.echo(f"  {run.message}")
    click.echo(_("  included: %(included)s", included=run.included))
    click.echo(_("  excluded: %(excluded)s", excluded=run.excluded))
    ranked = sorted((run.exclusions or {}).items(), key=lambda kv: (-kv[1]["count"], kv[0]))
    for reason, entry in ranked:
        sample = ", ".join(entry["sample"][:3])
        click.echo(f"    {entry['count']:>6}  {reason}  (e.g. {sample})")
    for error in run.errors or []:
        click.echo(_("  error: %(error)s", error=error))
    if run.storage_key:
        click.echo(
            _(
                "  output: %(storage_key)s (%(size)s bytes)",
                storage_key=run.storage_key,
                size=run.size,
            )
        )


@channels_cli.command("list", help=_l("The feeds with their channel, format, locale and last run."))
@with_appcontext
def list_command():
    """The feeds with their channel, format, locale and last run."""
    session = db.session
    feeds = session.scalars(select(Feed).order_by(Feed.code)).all()
    if not feeds:
        click.echo(_("no feeds"))
    for feed in feeds:
        last = session.scalars(
            select(FeedRun).where(FeedRun.feed_id == feed.id).order_by(FeedRun.id.desc())
        ).first()
        state = f"last run {last.status}, {last.included} items" if last else "never run"
        click.echo(
            f"{feed.code:24} {feed.channel.code:12} {feed.format:20} {feed.locale} "
            f"{feed.currency}  {state}"
        )


@channels_cli.command(
    "save",
    help=_l("Create a feed, or update the settings a JSON document gives (`-` reads stdin)."),
)
@click.argument("file", type=click.File("r", encoding="utf-8"))
@with_appcontext
def save_command(file):
    """Create a feed, or update the settings a JSON document gives (`-` reads stdin)."""
    try:
        document = json.load(file)
    except json.JSONDecodeError as error:
        raise click.ClickException(
            _("%(name)s: not valid JSON (%(error)s)", name=file.name, error=error)
        ) from None
    if not isinstance(document, dict):
        raise click.ClickException(_("%(name)s: a feed is a JSON object", name=file.name))
    try:
        feed = save_feed(db.session, document)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(
        _(
            "Saved feed %(code)s; pull URL %(url)s",
            code=feed.code,
            url=f"{default_base_url()}{pull_path(feed)}",
        )
    )


@channels_cli.command("show", help=_l("A feed's settings, pull URL and last runs, as JSON."))
@click.argument("code")
@with_appcontext
def show_command(code: str):
    """A feed's settings, pull URL and last runs, as JSON."""
    session = db.session
    try:
        feed = get_feed(session, code)
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    runs = session.scalars(
        select(FeedRun).where(FeedRun.feed_id == feed.id).order_by(FeedRun.id.desc()).limit(5)
    ).all()
    document = {
        "code": feed.code,
        "channel": feed.channel.code,
        **{name: getattr(feed, name) for name in SETTINGS},
        "pull_url": f"{default_base_url()}{pull_path(feed)}",
        "current": feed.current_key,
        "runs": [run_dict(run) for run in runs],
    }
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))
