"""Transforms a mapping rule applies to a cell before it becomes a value.

Each transform is ``{"op": name, …parameters}``; they run in order on a string (or, after
``split``, a list of strings). A transform that cannot handle a cell raises
:class:`TransformError` with a reason the report shows next to the line and column.

===============  ==========================================================================
``trim``         strip surrounding whitespace
``upper/lower``  change case
``split``        ``sep`` (default ``,``) → a list, parts trimmed, empty parts dropped
``map``          ``values`` {supplier value: our value}; ``ignore_case``; ``unmapped``:
                 ``keep`` (default), ``error`` or ``empty``
``decimal_comma``  ``1.234,56`` → ``1234.56``
``date``         ``format`` (strptime, e.g. ``%d/%m/%Y``) → ``YYYY-MM-DD``
``unit``         ``unit`` of the cell (``KILOGRAM``) and optional ``to`` → a metric value
``currency``     ``currency`` of the cell (``EUR``) → a price value
``option_label`` option label (in ``locale``, else any) → option code, case-insensitive
``boolean``      ``true``/``false`` lists of words (defaults: 1/0, yes/no, true/false…)
``concat``       joins the rule's ``columns`` with ``sep`` (default one space)
===============  ==========================================================================
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from pim.services.structure_cache import AttrSpec
from pim.units import UNIT_FAMILIES, convert


class TransformError(ValueError):
    """A cell could not be transformed; the message is the reason."""


TRUE_WORDS = {"1", "true", "yes", "y", "oui", "ja", "x"}
FALSE_WORDS = {"0", "false", "no", "n", "non", "nein", ""}


def _each(value, func):
    if isinstance(value, list):
        return [func(v) for v in value]
    return func(value)


def _trim(value, params, attr):
    return _each(value, str.strip)


def _upper(value, params, attr):
    return _each(value, str.upper)


def _lower(value, params, attr):
    return _each(value, str.lower)


def _split(value, params, attr):
    if isinstance(value, list):
        return value
    sep = params.get("sep") or ","
    return [part.strip() for part in value.split(sep) if part.strip()]


def _map(value, params, attr):
    table = params.get("values") or {}
    if params.get("ignore_case"):
        table = {str(k).casefold(): v for k, v in table.items()}

    def one(text):
        lookup = text.casefold() if params.get("ignore_case") else text
        if lookup in table:
            return table[lookup]
        unmapped = params.get("unmapped", "keep")
        if unmapped == "error" and text != "":
            raise TransformError(_("%(text)r is not in the value map", text=text))
        return "" if unmapped == "empty" else text

    return _each(value, one)


def decimal_comma(text: str) -> str:
    """``1.234,56`` or ``1 234,56`` → ``1234.56``."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    return cleaned.replace(".", "").replace(",", ".") if "," in cleaned else cleaned


def _decimal_comma(value, params, attr):
    return _each(value, decimal_comma)


def _date(value, params, attr):
    fmt = params.get("format") or "%Y-%m-%d"

    def one(text):
        if not text.strip():
            return ""
        try:
            return dt.datetime.strptime(text.strip(), fmt).date().isoformat()
        except ValueError:
            raise TransformError(
                _("%(text)r is not a date in the format %(fmt)s", text=text, fmt=fmt)
            ) from None

    return _each(value, one)


def _number(text: str) -> Decimal:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise TransformError(_("%(text)r is not a number", text=text)) from None
    if not number.is_finite():
        raise TransformError(_("%(text)r is not a number", text=text))
    return number


def _unit(value, params, attr):
    unit, target = params.get("unit"), params.get("to")
    family = next((f for f, units in UNIT_FAMILIES.items() if unit in units), None)
    if family is None or (target and target not in UNIT_FAMILIES[family]):
        raise TransformError(_("unknown unit %(target)r", target=target if family else unit))
    if isinstance(value, list) or not value.strip():
        return value if isinstance(value, list) else ""
    amount = _number(value)
    if target:
        amount, unit = convert(amount, unit, target, family), target
    return {"amount": format(amount.normalize(), "f"), "unit": unit}


def _currency(value, params, attr):
    if isinstance(value, list) or not value.strip():
        return value if isinstance(value, list) else ""
    return [{"amount": format(_number(value), "f"), "currency": params.get("currency")}]


def _option_label(value, params, attr: AttrSpec | None):
    if attr is None or not attr.options:
        raise TransformError(_("option_label needs a select attribute"))
    locale = params.get("locale")
    by_label = {}
    for code, labels in attr.options.items():
        texts = [labels.get(locale)] if locale else list(labels.values())
        for text in texts:
            if text:
                by_label.setdefault(text.casefold(), code)
        by_label.setdefault(code.casefold(), code)

    def one(text):
        if not text.strip():
            return ""
        if text.strip().casefold() not in by_label:
            raise TransformError(
                _("%(text)r is not a label of an option of %(code)s", text=text, code=attr.code)
            )
        return by_label[text.strip().casefold()]

    return _each(value, one)


def _boolean(value, params, attr):
    true = {w.casefold() for w in params.get("true", TRUE_WORDS)}
    false = {w.casefold() for w in params.get("false", FALSE_WORDS)}

    def one(text):
        word = text.strip().casefold()
        if word in true:
            return True
        if word in false:
            return "" if word == "" else False
        raise TransformError(_("%(text)r is not a yes/no value", text=text))

    return _each(value, one)


TRANSFORMS = {
    "trim": _trim,
    "upper": _upper,
    "lower": _lower,
    "split": _split,
    "map": _map,
    "decimal_comma": _decimal_comma,
    "date": _date,
    "unit": _unit,
    "currency": _currency,
    "option_label": _option_label,
    "boolean": _boolean,
}

#: ``concat`` combines columns, so it runs before the others (see :mod:`.mapping`).
COMBINERS = {"concat"}


def check(transform) -> str | None:
    """Why a transform specification is invalid, or None."""
    if not isinstance(transform, dict) or transform.get("op") not in TRANSFORMS | dict.fromkeys(
        COMBINERS
    ):
        names = ", ".join(sorted(TRANSFORMS.keys() | COMBINERS))
        return f"each transform needs an op among {names}"
    op = transform["op"]
    if op == "map" and not isinstance(transform.get("values"), dict):
        return "map needs a values object"
    if op == "unit" and not any(transform.get("unit") in u for u in UNIT_FAMILIES.values()):
        return f"unit needs a known unit (got {transform.get('unit')!r})"
    if op == "currency" and not re.fullmatch(r"[A-Z]{3}", str(transform.get("currency"))):
        return "currency needs a currency code such as EUR"
    if op == "date":
        try:
            dt.date(2000, 1, 2).strftime(str(transform.get("format") or "%Y-%m-%d"))
        except ValueError:
            return "date needs a valid format such as %d/%m/%Y"
    return None


def apply(transforms: list[dict], value, attr: AttrSpec | None):
    """Run ``transforms`` (combiners excluded) on ``value``."""
    for transform in transforms:
        func = TRANSFORMS.get(transform["op"])
        if func is not None:
            value = func(value, transform, attr)
    return value
