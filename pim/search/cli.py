"""``vitrine search …``: rebuild the index, check it against the database, try a query."""

from __future__ import annotations

import json
import sys
import time

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pim.extensions import db
from pim.search import indexer, service
from pim.search.query import SearchSyntaxError

search_cli = AppGroup("search", help=_l("The search index: rebuild, check for drift, query."))


def init_app(app: Flask) -> None:
    app.cli.add_command(search_cli)


@search_cli.command("reindex", help=_l("Rebuild the whole index from the database."))
@with_appcontext
def reindex_command():
    """Rebuild the whole index from the database."""
    started = time.perf_counter()
    written = indexer.reindex(db.session.get_bind())
    elapsed = time.perf_counter() - started
    rate = written / elapsed if elapsed else 0
    click.echo(
        _(
            "Indexed %(written)s document(s) in %(elapsed).1f s (%(rate).0f/s).",
            written=written,
            elapsed=elapsed,
            rate=rate,
        )
    )


@search_cli.command(
    "check", help=_l("Compare the index with the database; exit code 1 when they differ.")
)
@click.option("--fix", is_flag=True, help=_l("Write the missing and stale documents."))
@click.option("--json", "as_json", is_flag=True, help=_l("Print the drift as JSON."))
@with_appcontext
def check_command(fix, as_json):
    """Compare the index with the database; exit code 1 when they differ."""
    drift = indexer.check(db.session.get_bind(), fix=fix)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "checked": drift.checked,
                    "missing": drift.missing,
                    "stale": drift.stale,
                    "extra": drift.extra,
                    "fixed": fix,
                },
                indent=2,
            )
        )
    else:
        click.echo(_("Checked %(checked)s document(s).", checked=drift.checked))
        for label, keys in (("missing", drift.missing), ("stale", drift.stale),
                            ("extra", drift.extra)):  # fmt: skip
            if keys:
                shown = ", ".join(keys[:20]) + (" …" if len(keys) > 20 else "")
                click.echo(f"{len(keys)} {label}: {shown}")
        if drift.clean:
            click.echo(_("The index matches the database."))
        elif fix:
            click.echo(_("Fixed."))
    if not drift.clean and not fix:
        sys.exit(1)


@search_cli.command(
    "query", help=_l("Run a query in the search syntax and print the matching keys.")
)
@click.argument("text", default="")
@click.option("--limit", default=20, show_default=True)
@with_appcontext
def query_command(text, limit):
    """Run a query in the search syntax and print the matching keys."""
    try:
        found = service.search(db.session, text, limit=limit, facets=("family", "status"))
    except SearchSyntaxError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_("%(total)s match(es)", total=found.total))
    for item in found.items:
        click.echo(f"{item.kind}\t{item.code}")
    for name, counts in found.facets.items():
        click.echo(f"{name}: " + ", ".join(f"{value} ({count})" for value, count in counts))
