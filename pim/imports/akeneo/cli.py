"""``vitrine pim import-akeneo DIR [--json]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pim.cli import command_transaction
from pim.imports.akeneo.importer import MIGRATION_ACTOR, STEPS, import_akeneo
from pim.imports.akeneo.summary import AkeneoSummary

#: Issues listed by the readable output (``--json`` lists them all).
SHOWN_ISSUES = 20
COLUMNS = ("created", "updated", "skipped", "failed", "warnings")


@click.command("import-akeneo")
@click.argument(
    "directory", type=click.Path(exists=True, file_okay=False, resolve_path=True, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_akeneo_command(directory: Path, as_json: bool) -> None:
    """Import a directory of Akeneo CSV exports in dependency order.

    Reads the files of DIRECTORY that exist among: locales, currencies, categories,
    channels, attribute_groups, attributes, attribute_options, families, family_variants,
    association_types, product_models and products (.csv, ';'-separated). Refused rows are
    reported with their line and column; the good rows are saved. Running it again on the
    same directory changes nothing.

    Exit status: 0 when every row was imported (warnings allowed), 1 when a row or a file
    was refused — the good rows are committed all the same.
    """
    progress = None if as_json else _echo_progress
    with command_transaction() as session:
        summary = import_akeneo(session, directory, MIGRATION_ACTOR, on_progress=progress)
    if as_json:
        json.dump(summary.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        _print_summary(summary)
    if not summary.ok:
        sys.exit(1)


def _echo_progress(file: str, rows: int) -> None:
    if rows % 1000 == 0:
        click.echo(f"{file}: {rows} rows", err=True)


def _print_summary(summary: AkeneoSummary) -> None:
    if not summary.files:
        names = ", ".join(name for name, _ in STEPS)
        click.echo(f"Nothing to import: none of {names} is in the directory.")
        return
    click.echo(f"{'file':<24}" + "".join(f"{c:>10}" for c in COLUMNS))
    for name, counts in summary.files.items():
        click.echo(f"{name:<24}" + "".join(f"{getattr(counts, c):>10}" for c in COLUMNS))
    for issue in summary.issues[:SHOWN_ISSUES]:
        click.echo(_issue_line(issue))
    hidden = len(summary.issues) - SHOWN_ISSUES
    if hidden > 0:
        click.echo(f"… and {hidden} more issues (--json lists them all).")


def _issue_line(issue) -> str:
    where = issue.file or ""
    where += f" line {issue.line}" if issue.line else ""
    where += f" [{issue.key}]" if issue.key else ""
    where += f" column {issue.column}" if issue.column else ""
    value = f" ({issue.value!r})" if issue.value else ""
    return f"{issue.severity}: {where}{value}: {issue.reason}"
