"""Attributes and their options (``attributes.csv``, ``attribute_options.csv``).

Akeneo types map onto Vitrine's (:data:`TYPES`); image and file attributes become asset
collections whose files are linked through pending media. Validation rules map too:
``max_characters`` → max length, ``validation_rule`` regexp/email/url → a regex,
``number_min/max`` → bounds, ``negative_allowed=0`` → a minimum of 0 (numbers; metrics and
prices are never negative in Vitrine), ``decimals_allowed``, ``wysiwyg_enabled`` → rich
text, ``metric_family``/``default_metric_unit`` (Weight, Length, Volume). ``date_min``,
``date_max`` and ``available_locales`` cannot be kept: a warning says so. Other columns
(``allowed_extensions``, ``max_file_size``, grid filters…) are ignored.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from pim.imports.akeneo.context import Context
from pim.imports.akeneo.reading import cell, flag, labels, present, whole_number
from pim.imports.akeneo.structure import (
    Planned,
    apply_planned,
    changed,
    create_or_update,
    faults_of,
    plan_rows,
)
from pim.imports.akeneo.summary import Fault
from pim.models import Attribute, AttributeGroup
from pim.services import structure
from pim.services.errors import DomainError
from pim.services.structure import CODE_RE
from pim.units import UNIT_FAMILIES
from pim.values import canonical_decimal

TYPES = {
    "pim_catalog_identifier": "identifier",
    "pim_catalog_text": "text",
    "pim_catalog_textarea": "textarea",
    "pim_catalog_number": "number",
    "pim_catalog_metric": "metric",
    "pim_catalog_price_collection": "price",
    "pim_catalog_boolean": "boolean",
    "pim_catalog_date": "date",
    "pim_catalog_simpleselect": "simple_select",
    "pim_catalog_multiselect": "multi_select",
    "pim_catalog_image": "asset_collection",
    "pim_catalog_file": "asset_collection",
}
#: Akeneo's built-in text validation rules as regular expressions.
RULES = {"email": r"[^@\s]+@[^@\s]+\.[^@\s]+", "url": r"https?://\S+"}
#: Columns whose content Vitrine cannot keep (a warning when filled).
LOST = {
    "date_min": "minimum dates are not supported",
    "date_max": "maximum dates are not supported",
    "available_locales": "attributes cannot be limited to some locales",
}
NUMERIC = ("number", "metric", "price")
#: payload key → the column it comes from (a file without the column leaves it unchanged)
COLUMNS = {
    "labels": "label-",
    "sort_order": "sort_order",
    "localizable": "localizable",
    "scopable": "scopable",
    "unique": "unique",
    "max_length": "max_characters",
    "regex": "validation_rule",
    "rich_text": "wysiwyg_enabled",
    "min_value": "number_min",
    "max_value": "number_max",
}


def import_attributes(ctx: Context, name: str) -> None:
    """Create or update attributes; rows naming an unknown group or type are refused."""
    session = ctx.session
    groups = set(session.scalars(select(AttributeGroup.code)))
    identifier = session.scalar(select(Attribute.code).where(Attribute.type == "identifier"))
    items = plan_rows(ctx, name, lambda row: _plan_attribute(row, groups, identifier))
    apply_planned(ctx, name, items, _write_attribute)


def _plan_attribute(row, groups: set, identifier: str | None) -> Planned:
    faults: list[Fault] = []
    akeneo_type = cell(row, "type")
    kind = TYPES.get(akeneo_type)
    if kind is None:
        faults.append(Fault("type", akeneo_type, f"unsupported Akeneo type {akeneo_type!r}"))
    group = cell(row, "group")
    if group not in groups:
        faults.append(Fault("group", group, f"unknown attribute group {group!r}"))
    payload = {
        "code": cell(row, "code"),
        "type": kind,
        "group": group,
        "labels": labels(row),
        "sort_order": whole_number(row, "sort_order", faults, default=0),
        "localizable": flag(row, "localizable", faults),
        "scopable": flag(row, "scopable", faults),
        "unique": flag(row, "unique", faults),
    }
    if kind == "identifier":
        _identifier(payload, identifier, faults)
    payload.update(_rules(row, kind, faults))
    item = Planned(row.line, payload["code"], present(row, payload, COLUMNS), faults)
    item.warnings += [Fault(c, cell(row, c), why) for c, why in LOST.items() if cell(row, c)]
    return item


def _identifier(payload: dict, identifier: str | None, faults: list[Fault]) -> None:
    if identifier not in (None, payload["code"]):
        reason = f"the catalogue already has the identifier attribute {identifier!r}"
        faults.append(Fault("type", "pim_catalog_identifier", reason))
    payload.update(localizable=False, scopable=False, unique=True)


def _rules(row, kind: str | None, faults: list[Fault]) -> dict:
    rules: dict = {}
    if kind in ("text", "textarea"):
        rules["max_length"] = whole_number(row, "max_characters", faults) or None
    if kind == "text":
        rules["regex"] = _regex(row, faults)
    if kind == "textarea":
        rules["rich_text"] = flag(row, "wysiwyg_enabled", faults)
    if kind in NUMERIC:
        rules["min_value"] = _bound(row, "number_min", faults)
        rules["max_value"] = _bound(row, "number_max", faults)
        if cell(row, "decimals_allowed"):
            rules["decimals_allowed"] = flag(row, "decimals_allowed", faults)
    if kind == "number" and cell(row, "negative_allowed") == "0" and rules["min_value"] is None:
        rules["min_value"] = "0"
    if kind == "metric":
        rules.update(_metric(row, faults))
    return rules


def _bound(row, column: str, faults: list[Fault]) -> str | None:
    text = cell(row, column)
    if not text:
        return None
    try:
        return canonical_decimal(Decimal(text))
    except InvalidOperation:
        faults.append(Fault(column, text, "is not a number"))
        return None


def _regex(row, faults: list[Fault]) -> str | None:
    rule = cell(row, "validation_rule")
    if rule in RULES:
        return RULES[rule]
    if rule != "regexp":
        if rule:
            faults.append(Fault("validation_rule", rule, f"unknown validation rule {rule!r}"))
        return None
    return _python_regex(cell(row, "validation_regexp"))


def _python_regex(pattern: str) -> str | None:
    """Akeneo's PHP ``/…/flags`` pattern as a Python one with the same (search) meaning."""
    match = re.fullmatch(r"/(.*)/([a-zA-Z]*)", pattern, re.DOTALL)
    body, flags = (match.group(1), match.group(2)) if match else (pattern, "")
    if not body:
        return None
    prefix = "(?i)" if "i" in flags else ""
    if body.startswith("^") and body.endswith("$"):
        return prefix + body
    return f"{prefix}(?s).*(?:{body}).*"


def _metric(row, faults: list[Fault]) -> dict:
    family, unit = cell(row, "metric_family"), cell(row, "default_metric_unit")
    if family not in UNIT_FAMILIES:
        known = ", ".join(UNIT_FAMILIES)
        faults.append(Fault("metric_family", family, f"unsupported unit family ({known})"))
    elif unit not in UNIT_FAMILIES[family]:
        known = ", ".join(UNIT_FAMILIES[family])
        faults.append(Fault("default_metric_unit", unit, f"not a unit of {family} ({known})"))
    return {"metric_family": family, "default_unit": unit}


def _write_attribute(ctx: Context, item: Planned) -> str:
    return create_or_update(
        ctx,
        Attribute,
        item,
        structure.create_attribute,
        structure.update_attribute,
        lambda attr: changed(structure.attribute_state(attr), item.payload),
    )


# --- options ------------------------------------------------------------------------------


def import_options(ctx: Context, name: str) -> None:
    """``attribute;code;sort_order;label-…``: one attribute update per attribute changed."""
    selects = dict(
        ctx.session.execute(
            select(Attribute.code, Attribute.type).where(
                Attribute.type.in_(("simple_select", "multi_select"))
            )
        ).all()
    )
    items = plan_rows(ctx, name, lambda row: _plan_option(row, selects))
    for item in items:
        if item.faults:
            ctx.summary.fail(name, item.line, item.key, item.faults)
    by_attribute: dict[str, list[Planned]] = {}
    for item in items:
        if not item.faults:
            by_attribute.setdefault(item.payload["attribute"], []).append(item)
    for attribute, rows in by_attribute.items():
        _write_options(ctx, name, attribute, rows)


def _plan_option(row, selects: dict) -> Planned:
    faults: list[Fault] = []
    attribute, code = cell(row, "attribute"), cell(row, "code")
    if attribute not in selects:
        reason = f"{attribute!r} is not a simple or multi select attribute"
        faults.append(Fault("attribute", attribute, reason))
    if not CODE_RE.match(code):
        faults.append(Fault("code", code, "an option code of letters, digits and _ is required"))
    option = {"code": code, "labels": labels(row)}
    sort_order = whole_number(row, "sort_order", faults)
    if sort_order is not None:
        option["sort_order"] = sort_order
    # the key is unique per attribute: the same option code may serve several attributes
    return Planned(
        row.line, f"{attribute}.{code}", {"attribute": attribute, "option": option}, faults
    )


def _write_options(ctx: Context, name: str, attribute: str, rows: list[Planned]) -> None:
    attr = ctx.session.scalar(select(Attribute).where(Attribute.code == attribute))
    current = {o["code"]: o for o in structure.attribute_state(attr)["options"]}
    wanted, outcomes = dict(current), []
    for item in rows:
        option = item.payload["option"]
        merged = {**current.get(option["code"], {"swatch": None}), **option}
        merged.setdefault("sort_order", len(wanted))
        outcomes.append(_outcome(current.get(option["code"]), merged))
        wanted[option["code"]] = merged
    if "created" in outcomes or "updated" in outcomes:
        _update_options(ctx, name, attr, list(wanted.values()), rows, outcomes)
        return
    for outcome in outcomes:
        ctx.summary.counts(name).add(outcome)


def _outcome(before: dict | None, after: dict) -> str:
    if before is None:
        return "created"
    return "updated" if changed(before, after) else "skipped"


def _update_options(ctx, name, attr, options, rows, outcomes) -> None:
    try:
        structure.update_attribute(ctx.session, attr, {"options": options}, ctx.actor)
    except DomainError as error:
        for item in rows:
            ctx.summary.fail(name, item.line, item.key, faults_of(error))
        return
    for outcome in outcomes:
        ctx.summary.counts(name).add(outcome)
