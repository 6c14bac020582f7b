"""``vitrine pim import …``, ``vitrine pim import-report``, ``vitrine pim profiles …``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pim.extensions import db
from pim.imports import jobs, profiles, report
from pim.models import ImportJob, ImportProfile
from pim.services.errors import DomainError

profiles_cli = AppGroup("profiles", help=_l("Import mapping profiles: list, show, save, delete."))


@click.command(
    "import",
    help=_l(
        "Import FILE through a mapping profile, showing progress; exit code 1 when the import "
        "failed or rows were refused (the report lists them: `vitrine pim import-report JOB`)."
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--profile", "profile_code", required=True, help=_l("Mapping profile code."))
@click.option("--dry-run", is_flag=True, help=_l("Check every row, write nothing."))
@click.option("--json", "as_json", is_flag=True, help=_l("Print a JSON summary."))
@click.option("--update-only", is_flag=True, help=_l("Do not create missing products."))
@click.option(
    "--mode",
    type=click.Choice(["skip", "all_or_nothing"]),
    help=_l("Bad rows: skip or refuse all."),
)
@click.option(
    "--missing",
    type=click.Choice(["ignore", "flag", "disable"]),
    help=_l("Full feed: what to do with products absent from the file."),
)
@click.option(
    "--force", is_flag=True, help=_l("Re-apply rows even when unchanged since last time.")
)
@with_appcontext
def import_command(file, profile_code, dry_run, as_json, update_only, mode, missing, force):
    """Import FILE through a mapping profile, showing progress; exit code 1 when the import
    failed or rows were refused (the report lists them: `vitrine pim import-report JOB`)."""
    session = db.session
    try:
        profile = profiles.get_profile(session, profile_code)
        options = {"dry_run": dry_run or None, "mode": mode, "missing": missing}
        options.update(create=False if update_only else None, force=force or None)
        job = jobs.create_job(session, profile, Path(file), Path(file).name, options=options)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    session.commit()
    job = _run_with_bar(session, job.id, show=not as_json and sys.stderr.isatty())
    if as_json:
        click.echo(json.dumps(report.summary(session, job), indent=2, default=str))
    else:
        _print_summary(session, job)
    if job.status != "succeeded" or job.rows_failed:
        sys.exit(1)


def _run_with_bar(session, job_id: int, show: bool) -> ImportJob:
    if not show:
        return jobs.run_job(session, job_id)
    with click.progressbar(length=1000, label="Importing", file=sys.stderr) as bar:

        def advance(counts, fraction):
            bar.label = f"Importing ({counts.read} rows, {counts.failed} failed)"
            bar.update(int(fraction * 1000) - bar.pos)

        job = jobs.run_job(session, job_id, progress=advance)
        bar.update(1000 - bar.pos)
    return job


def _print_summary(session, job: ImportJob) -> None:
    click.echo(
        _(
            "Import %(id)s (%(filename)s): %(status)s. %(message)s",
            id=job.id,
            filename=job.filename,
            status=job.status,
            message=job.message or "",
        )
    )
    shown = report.issues(session, job, limit=20)
    for issue in shown:
        where = f"line {issue.line}" if issue.line else "file"
        column = f", column {issue.column}" if issue.column else ""
        value = f" ({issue.value!r})" if issue.value else ""
        click.echo(f"  {issue.severity}: {where}{column}{value}: {issue.reason}")
    total = job.rows_failed + job.warnings
    if total > len(shown):
        click.echo(_("  … the full report: vitrine pim import-report %(id)s", id=job.id))


@click.command(
    "import-report", help=_l("Print the report of an import as CSV (line, column, value, reason).")
)
@click.argument("job_id", type=int)
@with_appcontext
def import_report_command(job_id: int) -> None:
    """Print the report of an import as CSV (line, column, value, reason)."""
    job = db.session.get(ImportJob, job_id)
    if job is None:
        raise click.ClickException(_("import %(job_id)s does not exist", job_id=job_id))
    for chunk in report.csv_chunks(db.session, job):
        click.echo(chunk, nl=False)


@click.command(
    "scan-dropbox",
    help=_l(
        "Import the files waiting in the profiles' drop folders now (the worker does it every "
        "minute)."
    ),
)
@with_appcontext
def scan_dropbox_command() -> None:
    """Import the files waiting in the profiles' drop folders now (the worker does it every
    minute)."""
    created = jobs.scan_dropbox(db.session, current_app.instance_path, settle=0)
    db.session.commit()
    for job in created:
        job = jobs.run_job(db.session, job.id)
        click.echo(f"{job.filename}: {job.status}. {job.message or ''}")
    if not created:
        click.echo(_("No files waiting."))


@profiles_cli.command("list", help=_l("List the profiles."))
def list_profiles() -> None:
    """List the profiles."""
    for profile in db.session.scalars(db.select(ImportProfile).order_by(ImportProfile.code)):
        click.echo(f"{profile.code}\t{profile.source}\t{profile.entity}\t{profile.label}")


@profiles_cli.command(
    "show", help=_l("Print a profile as JSON (the document `profiles save` reads).")
)
@click.argument("code")
def show_profile(code: str) -> None:
    """Print a profile as JSON (the document `profiles save` reads)."""
    try:
        profile = profiles.get_profile(db.session, code)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(profiles.profile_document(profile), indent=2, ensure_ascii=False))


@profiles_cli.command(
    "save", help=_l("Create or replace a profile from a JSON document (`-` reads standard input).")
)
@click.argument("file", type=click.File("r", encoding="utf-8"))
def save_profile(file) -> None:
    """Create or replace a profile from a JSON document (`-` reads standard input)."""
    try:
        document = json.load(file)
    except json.JSONDecodeError as error:
        raise click.ClickException(
            _("%(name)s: not valid JSON (%(error)s)", name=file.name, error=error)
        ) from None
    code = document.get("code") if isinstance(document, dict) else None
    existing = db.session.scalar(db.select(ImportProfile).where(ImportProfile.code == code))
    try:
        profile = profiles.save_profile(db.session, document, existing)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(
        _(
            "Saved profile %(code)s (revision %(revision)s).",
            code=profile.code,
            revision=profile.revision,
        )
    )


@profiles_cli.command("delete", help=_l("Delete a profile (past imports and their reports stay)."))
@click.argument("code")
def delete_profile(code: str) -> None:
    """Delete a profile (past imports and their reports stay)."""
    try:
        profiles.delete_profile(db.session, profiles.get_profile(db.session, code))
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(_("Deleted profile %(code)s.", code=code))


COMMANDS = [import_command, import_report_command, scan_dropbox_command, profiles_cli]
