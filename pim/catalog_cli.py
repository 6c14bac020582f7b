"""``vitrine pim …``: show products and models, purge history, check completeness."""

from __future__ import annotations

import json
import re
import sys
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pim.extensions import db
from pim.serialize import model_to_standard, product_to_standard
from pim.services import completeness, history
from pim.services.errors import NotFound
from pim.services.product_models import get_model
from pim.services.products import get_product
from pim.services.structure_cache import Structure

pim_cli = AppGroup("pim", help=_l("Catalogue commands: show products, purge history, checks."))

_DURATION = re.compile(r"^(\d+)([dhw])$")


def parse_duration(text: str) -> timedelta:
    """``365d``, ``12h`` or ``4w`` → a timedelta (click-friendly error otherwise)."""
    match = _DURATION.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise click.BadParameter(
            _("%(text)r: use a positive number followed by d, h or w (e.g. 365d)", text=text)
        )
    amount, unit = int(match.group(1)), match.group(2)
    return {
        "d": timedelta(days=amount),
        "h": timedelta(hours=amount),
        "w": timedelta(weeks=amount),
    }[unit]


@pim_cli.command(
    "show",
    help=_l("Print a product (or --model CODE) as JSON in the standard format, with completeness."),
)
@click.argument("identifier", required=False)
@click.option("--model", "model_code", help=_l("Show a product model by code instead."))
def show_command(identifier: str | None, model_code: str | None) -> None:
    """Print a product (or --model CODE) as JSON in the standard format, with completeness."""
    if bool(identifier) == bool(model_code):
        raise click.UsageError(_("give either a product IDENTIFIER or --model CODE"))
    try:
        if model_code:
            data = model_to_standard(db.session, get_model(db.session, model_code), True)
        else:
            data = product_to_standard(db.session, get_product(db.session, identifier), True)
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, sort_keys=True)
    sys.stdout.write("\n")


@pim_cli.command(
    "purge-history",
    help=_l("Delete versions older than the given age (each item keeps its latest version)."),
)
@click.option(
    "--older-than",
    "older_than",
    default=None,
    help=_l("Age of versions to delete, e.g. 365d (default: the retention setting)."),
)
def purge_history_command(older_than: str | None) -> None:
    """Delete versions older than the given age (each item keeps its latest version)."""
    days = current_app.config["HISTORY_RETENTION_DAYS"]
    age = parse_duration(older_than) if older_than else timedelta(days=days)
    deleted = history.purge(db.session, age)
    db.session.commit()
    click.echo(
        _("Deleted %(deleted)s versions older than %(days)s days.", deleted=deleted, days=age.days)
    )


@pim_cli.command(
    "check-completeness",
    help=_l(
        "Recompute completeness from scratch and report rows that differ from the stored ones."
    ),
)
@click.option("--fix", is_flag=True, help=_l("Rewrite the rows that differ."))
def check_completeness_command(fix: bool) -> None:
    """Recompute completeness from scratch and report rows that differ from the stored ones."""
    structure = Structure.load(db.session)
    drift = completeness.find_drift(db.session, structure)
    for item in drift[:50]:
        click.echo(
            _(
                "product #%(product_id)s channel #%(channel_id)s locale #%(locale_id)s: stored "
                "%(stored)s expected %(expected)s",
                product_id=item.product_id,
                channel_id=item.channel_id,
                locale_id=item.locale_id,
                stored=item.stored,
                expected=item.expected,
            )
        )
    if drift and fix:
        completeness.refresh_products(db.session, structure, {d.product_id for d in drift})
        db.session.commit()
        click.echo(_("Fixed %(count)s rows.", count=len(drift)))
    elif drift:
        raise click.ClickException(
            _("%(count)s completeness rows differ from the data", count=len(drift))
        )
    else:
        click.echo(_("Completeness is consistent with the data."))


def _register_import_commands() -> None:
    from pim.imports.akeneo.cli import import_akeneo_command
    from pim.imports.cli import COMMANDS

    pim_cli.add_command(import_akeneo_command)
    for command in COMMANDS:
        pim_cli.add_command(command)


_register_import_commands()
