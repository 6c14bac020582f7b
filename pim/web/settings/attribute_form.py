"""The attribute form ↔ service payloads: which validation rules apply to which type, and
the form's text as the user typed it (kept on a 422)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from pim.models import Attribute, AttributeType
from pim.services.errors import Problem
from pim.units import UNIT_FAMILIES
from pim.web.settings.common import checked, labels_from, whole_number

#: How each type reads in the UI.
TYPE_NAMES = {
    AttributeType.IDENTIFIER: _l("Identifier"),
    AttributeType.TEXT: _l("Text"),
    AttributeType.TEXTAREA: _l("Text area"),
    AttributeType.NUMBER: _l("Number"),
    AttributeType.METRIC: _l("Measurement"),
    AttributeType.PRICE: _l("Price"),
    AttributeType.BOOLEAN: _l("Yes/no"),
    AttributeType.DATE: _l("Date"),
    AttributeType.SIMPLE_SELECT: _l("Simple select"),
    AttributeType.MULTI_SELECT: _l("Multi select"),
    AttributeType.ASSET_COLLECTION: _l("Asset collection"),
}

#: Validation settings and the types they apply to (others are never sent).
RULE_TYPES = {
    "max_length": {"identifier", "text", "textarea"},
    "regex": {"identifier", "text"},
    "min_value": {"number", "metric", "price"},
    "max_value": {"number", "metric", "price"},
    "decimals_allowed": {"number", "metric", "price"},
    "rich_text": {"textarea"},
    "default_unit": {"metric"},
}
SELECT_TYPES = {"simple_select", "multi_select"}


def rule_types_attr(rule: str) -> str:
    """The types a rule applies to, for the ``data-types`` attribute the page's script reads."""
    return " ".join(sorted(RULE_TYPES[rule]))


def blank_data() -> dict:
    """What the create form shows at first."""
    return {
        "code": "",
        "type": "text",
        "group": "",
        "labels": {},
        "sort_order": "0",
        "localizable": False,
        "scopable": False,
        "unique": False,
        "max_length": "",
        "regex": "",
        "min_value": "",
        "max_value": "",
        "decimals_allowed": True,
        "rich_text": False,
        "metric_family": "",
        "default_unit": "",
        "sources": "",
    }


def data_of(attr: Attribute) -> dict:
    """What the edit form shows for a saved attribute."""
    return {
        "code": attr.code,
        "type": attr.type,
        "group": attr.group.code,
        "labels": dict(attr.labels or {}),
        "sort_order": str(attr.sort_order),
        "localizable": attr.localizable,
        "scopable": attr.scopable,
        "unique": attr.is_unique,
        "max_length": "" if attr.max_length is None else str(attr.max_length),
        "regex": attr.regex or "",
        "min_value": attr.min_value or "",
        "max_value": attr.max_value or "",
        "decimals_allowed": attr.decimals_allowed,
        "rich_text": attr.rich_text,
        "metric_family": attr.metric_family or "",
        "default_unit": attr.default_unit or "",
        "sources": ", ".join(attr.sources or []),
    }


#: What cannot change after creation (the edit form shows it read-only).
FIXED = ("code", "type", "localizable", "scopable", "unique", "metric_family")


def data_from(form, locales: list[str], saved: Attribute | None = None) -> dict:
    """The form as typed; for a ``saved`` attribute, its :data:`FIXED` fields as stored."""
    data = {
        "code": form.get("code", "").strip(),
        "type": form.get("type", ""),
        "group": form.get("group", ""),
        "labels": labels_from(form, locales),
        "metric_family": form.get("metric_family", ""),
        "default_unit": form.get("default_unit", ""),
    }
    for name in ("sort_order", "max_length", "regex", "min_value", "max_value", "sources"):
        data[name] = form.get(name, "").strip()
    for name in ("localizable", "scopable", "unique", "decimals_allowed", "rich_text"):
        data[name] = checked(form, name)
    if saved is not None:
        stored = data_of(saved)
        data |= {name: stored[name] for name in FIXED}
    return data


def payload(data: dict, problems: list[Problem], creating: bool) -> dict:
    """The service payload: the rules of the attribute's type only; fixed fields on create."""
    kind = data["type"]
    result = {
        "labels": data["labels"],
        "group": data["group"],
        "sort_order": whole_number(data, "sort_order", problems),
        "sources": [s.strip() for s in data["sources"].split(",") if s.strip()] or None,
    }
    if creating:
        result |= {k: data[k] for k in ("code", "type", "localizable", "scopable", "unique")}
    if kind in RULE_TYPES["max_length"]:
        result["max_length"] = _max_length(data["max_length"])
    if kind in RULE_TYPES["regex"]:
        result["regex"] = data["regex"] or None
    if kind in RULE_TYPES["min_value"]:
        result |= {k: data[k] or None for k in ("min_value", "max_value")}
        result["decimals_allowed"] = data["decimals_allowed"]
    if kind in RULE_TYPES["rich_text"]:
        result["rich_text"] = data["rich_text"]
    if kind == "metric":
        result["default_unit"] = data["default_unit"] or None
        if creating:
            result["metric_family"] = data["metric_family"] or None
    return result


def _max_length(text: str):
    """An int when the text is one; otherwise the text, for the service to refuse."""
    if not text:
        return None
    return int(text) if text.isdigit() else text


def unit_choices() -> list[tuple[str, list[str]]]:
    """``[(family, [units])]`` for the measurement selects."""
    return [(family, list(units)) for family, units in UNIT_FAMILIES.items()]
