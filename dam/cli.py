"""``vitrine dam …``: bulk import, show, expiring, renditions, cleanup, pending media.

Commands own the transaction: services flush, the command commits (the bulk import after
each file, so an interrupted import keeps what it finished).
"""

from __future__ import annotations

import json
import sys
import zipfile
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dam.archive import ArchiveError, iter_directory, open_zip
from dam.context import current_media
from dam.models import Asset
from dam.naming import DEFAULT_RULES, PatternError, compile_rule
from dam.serialize import asset_dict
from dam.services import cleanup, lifecycle, renditions
from dam.services.assets import find_asset
from dam.services.bulk import BulkInterrupted, import_entries
from dam.services.pending import resolve_pending
from dam.storage import StorageError
from pim.extensions import db
from pim.models import User
from pim.services.actors import Actor
from pim.services.errors import NotFound

dam_cli = AppGroup("dam", help=_l("Digital assets: import, show, rights expiry, renditions."))

#: Key of the queue's store holding orphans seen by the previous cleanup run.
ORPHANS_SEEN = "dam-orphans-seen"


def init_app(app: Flask) -> None:
    app.cli.add_command(dam_cli)


@dam_cli.command(
    "import",
    help=_l(
        "Import a folder or a zip of pictures and documents as assets, linking them to products "
        "by their names; exit code 1 when a file was refused."
    ),
)
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--pattern",
    "patterns",
    multiple=True,
    help=_l(
        "Naming rule, e.g. '{sku}_{role}_{order}' or '{model}-{color}-{order}' "
        "(repeatable; default: the built-in rules)."
    ),
)
@click.option("--no-link", is_flag=True, help=_l("Store the files without linking them."))
@click.option("--user", "email", help=_l("Record this user as the uploader."))
@click.option("--json", "as_json", is_flag=True, help=_l("Print one JSON entry per file."))
@with_appcontext
def import_command(path: Path, patterns, no_link, email, as_json):
    """Import a folder or a zip of pictures and documents as assets, linking them to
    products by their names; exit code 1 when a file was refused."""
    session = db.session
    try:
        rules = None if no_link else tuple(compile_rule(p) for p in patterns) or DEFAULT_RULES
    except PatternError as error:
        raise click.BadParameter(str(error), param_hint="--pattern") from None
    user = _user(session, email) if email else None
    actor = Actor.for_user(user, "import") if user else Actor.system("import")
    media = current_media()
    show = not as_json and sys.stderr.isatty()

    def progress(outcome):
        if show:
            click.echo(f"{outcome.status:9} {outcome.file}", err=True)

    try:
        if path.is_dir():
            report = import_entries(
                session,
                media,
                iter_directory(path),
                actor=actor,
                user=user,
                rules=rules,
                commit=session.commit,
                on_file=progress,
            )
        elif zipfile.is_zipfile(path):
            with open_zip(path) as entries:
                report = import_entries(
                    session,
                    media,
                    entries,
                    actor=actor,
                    user=user,
                    rules=rules,
                    commit=session.commit,
                    on_file=progress,
                )
        else:
            raise click.ClickException(_("%(path)s: not a folder or a zip archive", path=path))
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    except BulkInterrupted as error:
        session.rollback()
        report = error.report
        click.echo(_("error: %(error)s", error=error), err=True)
    if as_json:
        click.echo(
            json.dumps(
                {"summary": report.summary(), "files": [f.as_dict() for f in report.files]},
                indent=2,
            )
        )
    else:
        _print_report(report)
    if any(item.status == "error" for item in report.files):
        sys.exit(1)


def _print_report(report) -> None:
    for item in report.files:
        line = f"{item.status:9} {item.file}"
        if item.asset_code:
            line += f" → asset {item.asset_code}"
        if item.linked:
            line += f" linked to {', '.join(item.linked)}"
        if item.link_note:
            line += f" ({item.link_note})"
        if item.error:
            line += f": {item.error}"
        click.echo(line)
    summary = report.summary()
    click.echo(
        _(
            "%(files)s file(s): %(new)s new, %(duplicates)s duplicate(s), %(errors)s refused, "
            "%(linked)s linked, %(unmatched)s matched nothing",
            files=summary["files"],
            new=summary["new"],
            duplicates=summary["duplicates"],
            errors=summary["errors"],
            linked=summary["linked"],
            unmatched=summary["unmatched"],
        )
    )


def _user(session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(_("no user %(email)r", email=email))
    return user


@dam_cli.command(
    "show",
    help=_l(
        "Show an asset (by id, code or SHA-256): metadata, rights, lifecycle, links, renditions."
    ),
)
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help=_l("Print the asset as JSON."))
@with_appcontext
def show_command(ref, as_json):
    """Show an asset (by id, code or SHA-256): metadata, rights, lifecycle, links,
    renditions."""
    try:
        asset = find_asset(db.session, ref)
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    data = asset_dict(db.session, asset)
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str, ensure_ascii=False))
        return
    for key in (
        "code",
        "filename",
        "content_type",
        "size",
        "sha256",
        "width",
        "height",
        "effective_status",
        "licence_type",
        "copyright_holder",
        "creator",
        "credit_line",
        "valid_from",
        "valid_until",
        "allowed_channels",
        "allowed_territories",
    ):
        click.echo(f"{key:20} {data[key]}")
    for item in data["links"]:
        click.echo(f"{'linked':20} {item['owner_type']} {item['owner']} ({item['role']})")
    for item in data["renditions"]:
        click.echo(f"{'rendition':20} {item['preset']} v{item['version']} {item['status']}")
    for problem in data["problems"]:
        click.echo(f"{'problem':20} {problem}")


@dam_cli.command("expiring", help=_l("List assets whose usage rights end within DAYS days."))
@click.option("--days", default=30, show_default=True, type=click.IntRange(0, 3650))
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def expiring_command(days, as_json):
    """List assets whose usage rights end within DAYS days."""
    assets = lifecycle.expiring(db.session, days)
    rows = [
        {
            "code": a.code,
            "filename": a.filename,
            "valid_until": a.valid_until.isoformat(),
            "status": a.status,
            "links": len(a.links),
        }
        for a in assets
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(
            _(
                "%(valid_until)s  %(code)s  %(filename)s  (%(status)s, %(links)s link(s))",
                valid_until=row["valid_until"],
                code=row["code"],
                filename=row["filename"],
                status=row["status"],
                links=row["links"],
            )
        )
    click.echo(_("%(count)s asset(s) expiring within %(days)s day(s)", count=len(rows), days=days))


@dam_cli.command(
    "expire", help=_l("Run the daily expiry now: assets past their end date become expired.")
)
@with_appcontext
def expire_command():
    """Run the daily expiry now: assets past their end date become expired."""
    expired = lifecycle.expire_assets(db.session)
    db.session.commit()
    for asset in expired:
        click.echo(
            _(
                "expired %(code)s %(filename)s (ended %(valid_until)s)",
                code=asset.code,
                filename=asset.filename,
                valid_until=asset.valid_until,
            )
        )
    click.echo(_("%(count)s asset(s) expired", count=len(expired)))


@dam_cli.command(
    "renditions", help=_l("Make missing renditions now (of the assets named, or of every asset).")
)
@click.argument("refs", nargs=-1)
@click.option("--preset", "presets", multiple=True, help=_l("Only these presets."))
@with_appcontext
def renditions_command(refs, presets):
    """Make missing renditions now (of the assets named, or of every asset)."""
    session = db.session
    media = current_media()
    for name in presets:
        try:
            renditions.preset_named(media, name)
        except renditions.UnknownPreset as error:
            raise click.BadParameter(str(error), param_hint="--preset") from None
    try:
        assets = [find_asset(session, ref) for ref in refs]
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    ids = [a.id for a in assets] or list(
        session.scalars(select(Asset.id).where(Asset.deleted_at.is_(None)).order_by(Asset.id))
    )
    made = 0
    try:
        for asset_id in ids:
            made += renditions.make_renditions(session, media, asset_id, list(presets) or None)
            session.commit()
    except StorageError as error:
        session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(_("%(made)s rendition(s) made for %(count)s asset(s)", made=made, count=len(ids)))


@dam_cli.command(
    "cleanup",
    help=_l(
        "Delete stored files nothing refers to (seen by an earlier run at least an hour ago) "
        "and, optionally, purge the trash."
    ),
)
@click.option("--dry-run", is_flag=True, help=_l("List orphaned files, delete nothing."))
@click.option(
    "--purge-trash-days",
    type=click.IntRange(1, 36500),
    help=_l("Also delete assets that have been in the trash for this many days."),
)
@with_appcontext
def cleanup_command(dry_run, purge_trash_days):
    """Delete stored files nothing refers to (seen by an earlier run at least an hour ago)
    and, optionally, purge the trash."""
    from pim.queue import current_queue

    session = db.session
    storage = current_media().storage
    if purge_trash_days and not dry_run:
        codes, keys = cleanup.purge_trash(session, older_than=timedelta(days=purge_trash_days))
        session.commit()
        for key in keys:
            storage.delete(key)
        click.echo(
            _(
                "purged %(count)s asset(s) from the trash: %(codes)s",
                count=len(codes),
                codes=", ".join(codes) or "-",
            )
        )
    queue = current_queue()
    seen = queue.peek(ORPHANS_SEEN) or {}
    try:
        report, seen = cleanup.remove_orphans(session, storage, seen, dry_run=dry_run)
    except StorageError as error:
        raise click.ClickException(str(error)) from None
    if not dry_run:
        queue.put(ORPHANS_SEEN, seen)
    for key in report.deleted:
        click.echo(_("deleted orphan %(key)s", key=key))
    for key in report.waiting:
        click.echo(_("orphan %(key)s (deleted by a later run if still unreferenced)", key=key))
    click.echo(
        _(
            "%(count)s orphaned file(s): %(count2)s deleted, %(count3)s kept for now",
            count=len(report.orphans_found),
            count2=len(report.deleted),
            count3=len(report.waiting),
        )
    )


@dam_cli.command(
    "resolve-pending",
    help=_l("Download and link the pictures imports named (pending media links)."),
)
@click.option("--job", "job_id", type=int, help=_l("Only the media of this import job."))
@with_appcontext
def resolve_pending_command(job_id):
    """Download and link the pictures imports named (pending media links)."""
    counts = resolve_pending(db.session, current_media(), job_id=job_id, commit=db.session.commit)
    db.session.commit()
    click.echo(
        _("%(done)s linked, %(failed)s failed", done=counts["done"], failed=counts["failed"])
    )
    if counts["failed"]:
        sys.exit(1)
