"""Locales, currencies, categories, channels, attribute groups and association types.

Each file is read whole, every row is checked (codes, references to what exists) and all
problems are reported before anything of the file is written; then the good rows are
written one by one through :mod:`pim.services.structure`, each in a savepoint. An entity
that exists already is compared with the row first and left alone when it matches, so a
second run records no version.

Choices: only ``activated=1`` locales and currencies are imported (Akeneo lists every
locale it knows; the others are counted as skipped). Vitrine has no update for locales,
currencies, attribute groups, association types or category labels: when the row
differs from what exists, the row is skipped with a warning naming what was not applied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from pim.imports.akeneo.context import Context
from pim.imports.akeneo.reading import (
    cell,
    codes,
    flag,
    labels,
    present,
    read_rows,
    whole_number,
)
from pim.imports.akeneo.summary import Fault
from pim.models import AssociationType, AttributeGroup, Category, Channel, Currency, Locale
from pim.services import structure
from pim.services.errors import DomainError, InvalidData


@dataclass
class Planned:
    """One row checked and turned into a service payload (or refused, with faults)."""

    line: int
    key: str
    payload: dict
    faults: list[Fault] = field(default_factory=list)
    #: reported only if the row is written
    warnings: list[Fault] = field(default_factory=list)


def apply_planned(ctx: Context, name: str, items: list[Planned], write: Callable) -> None:
    """Report refused rows, then write the others; ``write(ctx, item)`` returns the outcome."""
    summary = ctx.summary
    for item in items:
        if item.faults:
            summary.fail(name, item.line, item.key, item.faults)
    for done, item in enumerate(items, start=1):
        if item.faults:
            continue
        try:
            with ctx.session.begin_nested():
                outcome = write(ctx, item)
        except DomainError as error:
            summary.fail(name, item.line, item.key, faults_of(error))
            continue
        summary.counts(name).add(outcome)
        for warning in item.warnings:
            summary.warn(name, item.line, item.key, warning)
        ctx.progress(name, done)


def faults_of(error: DomainError) -> list[Fault]:
    """A service refusal as faults (the problem's field stands for the column)."""
    if isinstance(error, InvalidData):
        return [Fault(p.field or p.attribute, None, str(p)) for p in error.problems]
    return [Fault(None, None, str(error))]


def plan_rows(ctx: Context, name: str, plan: Callable) -> list[Planned]:
    """``plan(row)`` for every good row, refusing a code given twice in the file."""
    items, first_line = [], {}
    for row in read_rows(ctx, name):
        item = plan(row)
        if not item.key:
            item.faults.insert(0, Fault("code", "", "a code is required"))
        elif item.key in first_line:
            seen = first_line[item.key]
            item.faults.insert(0, Fault("code", item.key, f"already given on line {seen}"))
        else:
            first_line[item.key] = row.line
        items.append(item)
    return [] if ctx.stopped_by == name else items  # a refused file writes nothing


def unknown(column: str, wanted: list[str], known, what: str) -> list[Fault]:
    """A fault naming the codes of ``wanted`` that are not in ``known``."""
    missing = [code for code in wanted if code not in known]
    if not missing:
        return []
    return [Fault(column, ",".join(missing), f"unknown {what}: {', '.join(missing)}")]


def differs(current, wanted) -> bool:
    """Whether ``wanted`` differs from ``current``; lists compare as sets."""
    if isinstance(current, list) and isinstance(wanted, list):
        return sorted(set(current)) != sorted(set(wanted))
    return current != wanted


def changed(state: dict, payload: dict) -> dict:
    """The entries of ``payload`` that differ from the entity's current ``state``."""
    return {key: value for key, value in payload.items() if differs(state.get(key), value)}


def _existing(ctx: Context, model, code: str):
    return ctx.session.scalar(select(model).where(model.code == code))


def create_or_update(
    ctx: Context, model, item: Planned, create: Callable, update: Callable, changes_of: Callable
) -> str:
    """Create the entity ``item`` plans, or update what ``changes_of(entity)`` says differs;
    returns ``created``, ``updated`` or ``skipped``."""
    entity = _existing(ctx, model, item.key)
    if entity is None:
        create(ctx.session, item.payload, ctx.actor)
        return "created"
    changes = changes_of(entity)
    if not changes:
        return "skipped"
    update(ctx.session, entity, changes, ctx.actor)
    return "updated"


# --- locales and currencies ---------------------------------------------------------------


def import_locales(ctx: Context, name: str) -> None:
    """``code;activated``: create the activated locales."""
    _import_codes(ctx, name, Locale, structure.create_locale)


def import_currencies(ctx: Context, name: str) -> None:
    """``code;activated``: create the activated currencies."""
    _import_codes(ctx, name, Currency, structure.create_currency)


def _import_codes(ctx: Context, name: str, model, create) -> None:
    def plan(row) -> Planned:
        faults: list[Fault] = []
        active = flag(row, "activated", faults) if "activated" in row.cells else True
        return Planned(row.line, cell(row, "code"), {"activated": active}, faults)

    def write(ctx: Context, item: Planned) -> str:
        if not item.payload["activated"] or _existing(ctx, model, item.key) is not None:
            return "skipped"
        create(ctx.session, item.key, ctx.actor)
        return "created"

    apply_planned(ctx, name, plan_rows(ctx, name, plan), write)


# --- categories -------------------------------------------------------------------------------


def import_categories(ctx: Context, name: str) -> None:
    """``code;parent;label-…``: parents are written before their children."""
    items = plan_rows(ctx, name, _plan_category)
    stored = dict(ctx.session.execute(select(Category.code, Category.parent_id)).all())
    apply_planned(ctx, name, _parents_first(items, stored), _write_category)


def _plan_category(row) -> Planned:
    payload = {"code": cell(row, "code"), "parent": cell(row, "parent") or None}
    payload["labels"] = labels(row)
    return Planned(row.line, payload["code"], payload)


def _parents_first(items: list[Planned], stored: dict) -> list[Planned]:
    """Order rows so that a parent comes before its children; refuse unknown parents."""
    by_code = {item.key: item for item in items if not item.faults}
    ordered, placed = [], set()

    def place(item: Planned, trail: tuple) -> bool:
        parent = item.payload["parent"]
        if item.key in placed or item.faults:
            return not item.faults
        if parent in trail or parent == item.key:
            item.faults.append(Fault("parent", parent, "the categories form a cycle"))
        elif parent and parent in by_code and not place(by_code[parent], (*trail, item.key)):
            item.faults.append(Fault("parent", parent, f"parent {parent!r} was refused"))
        elif parent and parent not in by_code and parent not in stored:
            item.faults.append(Fault("parent", parent, f"unknown parent category {parent!r}"))
        if not item.faults:
            placed.add(item.key)
            ordered.append(item)
        return not item.faults

    for item in items:
        place(item, ())
    return ordered + [item for item in items if item.faults]


def _write_category(ctx: Context, item: Planned) -> str:
    category = _existing(ctx, Category, item.key)
    if category is None:
        structure.create_category(ctx.session, item.payload, ctx.actor)
        return "created"
    state = structure.category_state(category)
    if differs(state["labels"], item.payload["labels"]):
        item.warnings.append(_not_updated("labels", "category labels"))
    if state["parent"] == item.payload["parent"]:
        return "skipped"
    structure.move_category(ctx.session, category, item.payload["parent"], ctx.actor)
    return "updated"


def _not_updated(column: str, what: str) -> Fault:
    return Fault(
        column, None, f"differs from Vitrine's; {what} cannot be updated yet, kept as they are"
    )


# --- channels ---------------------------------------------------------------------------------


#: payload key → the column it comes from (a file without the column leaves it unchanged)
CHANNEL_COLUMNS = {"labels": "label-", "locales": "locales", "currencies": "currencies"}


def import_channels(ctx: Context, name: str) -> None:
    """``code;label-…;currencies;locales;tree``: create or update channels."""
    session = ctx.session
    known = {
        "locales": set(session.scalars(select(Locale.code))),
        "currencies": set(session.scalars(select(Currency.code))),
        "trees": set(session.scalars(select(Category.code).where(Category.parent_id.is_(None)))),
    }
    items = plan_rows(ctx, name, lambda row: _plan_channel(row, known))
    apply_planned(ctx, name, items, _write_channel)


def _plan_channel(row, known: dict) -> Planned:
    payload = {
        "code": cell(row, "code"),
        "labels": labels(row),
        "locales": codes(cell(row, "locales")),
        "currencies": codes(cell(row, "currencies")),
    }
    payload = present(row, payload, CHANNEL_COLUMNS)
    faults = unknown("locales", payload.get("locales", []), known["locales"], "locales")
    faults += unknown(
        "currencies", payload.get("currencies", []), known["currencies"], "currencies"
    )
    if "tree" in row.cells:
        payload["category_tree"] = cell(row, "tree") or None
        if payload["category_tree"] and payload["category_tree"] not in known["trees"]:
            tree = payload["category_tree"]
            faults.append(Fault("tree", tree, f"{tree!r} is not the root of a category tree"))
    return Planned(row.line, payload["code"], payload, faults)


def _write_channel(ctx: Context, item: Planned) -> str:
    return create_or_update(
        ctx,
        Channel,
        item,
        structure.create_channel,
        structure.update_channel,
        lambda channel: changed(structure.channel_state(channel), item.payload),
    )


# --- attribute groups and association types ---------------------------------------------------


def import_attribute_groups(ctx: Context, name: str) -> None:
    """``code;sort_order;attributes;label-…`` (``attributes`` is read from attributes.csv)."""

    def plan(row) -> Planned:
        faults: list[Fault] = []
        payload = {"code": cell(row, "code"), "labels": labels(row)}
        payload["sort_order"] = whole_number(row, "sort_order", faults, default=0)
        return Planned(row.line, payload["code"], payload, faults)

    def write(ctx: Context, item: Planned) -> str:
        group = _existing(ctx, AttributeGroup, item.key)
        if group is None:
            structure.create_attribute_group(ctx.session, item.payload, ctx.actor)
            return "created"
        state = {"code": group.code, "labels": group.labels, "sort_order": group.sort_order}
        for column in changed(state, item.payload):
            item.warnings.append(_not_updated(column, "attribute groups"))
        return "skipped"

    apply_planned(ctx, name, plan_rows(ctx, name, plan), write)


def import_association_types(ctx: Context, name: str) -> None:
    """``code;label-…`` (quantified and two-way types are imported as plain ones)."""
    apply_planned(ctx, name, plan_rows(ctx, name, _plan_association_type), _write_association)


def _plan_association_type(row) -> Planned:
    item = Planned(row.line, cell(row, "code"), {"code": cell(row, "code"), "labels": labels(row)})
    for column, lost in (
        ("is_quantified", "quantities are not supported: links are imported without them"),
        ("is_two_way", "two-way links are not supported: links are imported one way"),
    ):
        if cell(row, column) == "1":
            item.warnings.append(Fault(column, "1", lost))
    return item


def _write_association(ctx: Context, item: Planned) -> str:
    kind = _existing(ctx, AssociationType, item.key)
    if kind is None:
        structure.create_association_type(ctx.session, item.payload, ctx.actor)
        return "created"
    if differs(kind.labels, item.payload["labels"]):
        item.warnings.append(_not_updated("labels", "association types"))
    return "skipped"
