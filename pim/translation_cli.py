"""``vitrine translations …``: export translation files (XLIFF, CSV, XLSX) and import them back.

``export`` writes the units of a selection of products and models for one or more target
locales; ``import`` checks a translated file and prints what it would change (a dry run)
or, with ``--apply``, writes it as one version per item with the source ``translation``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import lazy_gettext, ngettext
from sqlalchemy import select

from pim.extensions import db
from pim.models import Source, User
from pim.services.actors import Actor
from pim.services.translation_exchange import (
    FORMATS,
    ExchangeError,
    ExportSelection,
    ImportReport,
    export_translations,
    import_translations,
)

#: Longest value shown in a change line (the rest is elided).
SHOWN_LENGTH = 70

translations_cli = AppGroup(
    "translations",
    help=lazy_gettext("Translation files: export XLIFF or sheets, import them back."),
)


@translations_cli.command(
    "export",
    help=lazy_gettext("Export the values to translate to an XLIFF file or a translation sheet."),
)
@click.option(
    "--to",
    "targets",
    multiple=True,
    required=True,
    help=lazy_gettext("Target locale (repeat for several; several make a zip)."),
)
@click.option("--from", "source", help=lazy_gettext("Source locale (default: the catalogue's)."))
@click.option("--query", help=lazy_gettext("Product grid search query selecting the items."))
@click.option(
    "--identifier",
    "identifiers",
    multiple=True,
    help=lazy_gettext("Product identifier or model code (repeatable)."),
)
@click.option(
    "--attribute",
    "attributes",
    multiple=True,
    help=lazy_gettext("Attribute code (repeatable; default: every translatable one)."),
)
@click.option("--scope", help=lazy_gettext("Only this channel's values of scopable attributes."))
@click.option(
    "--format",
    "file_format",
    type=click.Choice(list(FORMATS)),
    default="xliff12",
    show_default=True,
    help=lazy_gettext("File format."),
)
@click.option(
    "--pending", is_flag=True, help=lazy_gettext("Only missing or outdated translations.")
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help=lazy_gettext("File to write (or a folder: the file gets its usual name)."),
)
def export_command(
    targets, source, query, identifiers, attributes, scope, file_format, pending, output
):
    """Export the values to translate to an XLIFF file or a translation sheet."""
    selection = ExportSelection(
        target_locales=list(targets),
        identifiers=list(identifiers),
        query=query,
        attributes=list(attributes),
        source_locale=source,
        only_pending=pending,
        scope=scope,
    )
    try:
        result = export_translations(db.session, selection, file_format)
    except ExchangeError as error:
        raise click.ClickException(str(error)) from None
    path = output / result.filename if output.is_dir() else output
    path.write_bytes(result.data)
    click.echo(
        _(
            "Written to %(file)s: %(units)s units, %(items)s items.",
            file=str(path),
            units=result.units,
            items=result.items,
        )
    )


@translations_cli.command(
    "import",
    help=lazy_gettext(
        "Check a translated FILE (XLIFF, CSV, XLSX or a zip of them) and print the report; "
        "--apply writes it. Exit code 1 when units are refused (then nothing is written)."
    ),
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--apply",
    "apply_changes",
    is_flag=True,
    help=lazy_gettext("Write the changes (default: a dry run that writes nothing)."),
)
@click.option(
    "--as",
    "email",
    help=lazy_gettext("E-mail of the user the changes are made as (default: the system)."),
)
def import_command(file: Path, apply_changes: bool, email: str | None):
    """Check a translated FILE (XLIFF, CSV, XLSX or a zip of them) and print the report;
    --apply writes it. Exit code 1 when units are refused (then nothing is written)."""
    session = db.session
    actor = _actor(session, email)
    report = import_translations(
        session, file.read_bytes(), file.name, actor=actor, dry_run=not apply_changes
    )
    _print_report(report)
    if report.applied:
        session.commit()
    else:
        session.rollback()
    if report.problems:
        sys.exit(1)


def _actor(session, email: str | None) -> Actor:
    if not email:
        return Actor.system(Source.TRANSLATION)
    user = session.scalar(select(User).where(User.email == email))
    if user is None or not user.active:
        raise click.ClickException(_("There is no active user %(email)s.", email=email))
    return Actor.for_user(user, Source.TRANSLATION)


def _print_report(report: ImportReport) -> None:
    locales = ", ".join(report.target_locales) or "?"
    click.echo(
        _(
            "%(file)s: %(source)s → %(targets)s, %(units)s units read.",
            file=report.filename,
            source=report.source_locale or "?",
            targets=locales,
            units=report.units,
        )
    )
    for change in report.changes:
        click.echo(f"  ~ {change.unit_id}: {_short(change.old)} → {_short(change.new)}")
    click.echo(
        _(
            "%(changes)s to change, %(unchanged)s unchanged, %(empty)s without translation.",
            changes=len(report.changes),
            unchanged=report.unchanged,
            empty=report.empty,
        )
    )
    for confirmed in report.confirmed:
        click.echo(_("  confirmed: %(unit)s (outdated, kept as it is)", unit=confirmed))
    for warning in report.warnings:
        click.echo(_("  warning: %(problem)s", problem=str(warning)))
    for problem in report.problems:
        click.echo(_("  refused: %(problem)s", problem=str(problem)), err=True)
    click.echo(_conclusion(report))


def _conclusion(report: ImportReport) -> str:
    if report.problems:
        return ngettext(
            "Nothing was written: %(num)s problem must be fixed first.",
            "Nothing was written: %(num)s problems must be fixed first.",
            len(report.problems),
        )
    if report.applied:
        return ngettext(
            "Written: %(num)s item changed.",
            "Written: %(num)s items changed.",
            report.items_changed,
        )
    if report.dry_run and report.has_changes:
        return _("Dry run: nothing was written. Run again with --apply to write the changes.")
    return _("Nothing to change.")


def _short(text: str | None) -> str:
    if text is None:
        return "∅"
    text = " ".join(text.split())
    return repr(text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…")
