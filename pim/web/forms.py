"""Product edit form: field names, and form input ↔ standard-format data per attribute type.

Each value the form edits is one *field* named ``v.<attribute>.<locale>.<scope>`` (``~`` for
no locale or scope). Metric fields add ``.amount`` / ``.unit``, prices ``.<currency>``. A
hidden ``fields`` input lists every field the form showed: only those are read, so an
unchecked checkbox means "No" only when its field was really on the page (the same goes for
the status fields, ``enabled``, and the category picker, ``categories``).

*Raw* is what the inputs hold (text, a bool, a list, or a dict of parts); :func:`raw_from_data`
and :func:`raw_from_form` produce it, :func:`parse` turns it into payload data.

Numbers (number attributes, metric amounts, prices) are shown and read in the UI language
(Flask-Babel's locale): ``12,5`` in French or German, ``12.5`` in English. The payload holds
them in the canonical dot format, as the REST API and the imports do. :func:`read_number`
documents the strict rules; input it cannot read without guessing (``1.234`` in German:
a thousand and thirty-four, or one point two three four?) raises :class:`InputError`
naming the field.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol
from flask_babel import gettext as _

from pim.services.errors import Problem
from pim.services.structure_cache import AttrSpec
from pim.values import canonical_decimal
from pim.web.display import ui_locale

NONE = "~"
PREFIX = "v"
#: Attribute types the form edits (identifiers are the product's own; assets come with the DAM).
EDITABLE_TYPES = {
    "text",
    "textarea",
    "number",
    "metric",
    "price",
    "boolean",
    "date",
    "simple_select",
    "multi_select",
}


class FormError(ValueError):
    """The submitted form is malformed (not something a user can cause through the page)."""


class InputError(FormError):
    """Numbers typed in the form that cannot be read without guessing; ``problems`` name
    each field (attribute, locale, scope) as the service's problems do."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


class NumberInputError(ValueError):
    """One typed number that :func:`read_number` refuses; the message says why."""


class AmbiguousNumber(NumberInputError):
    """A typed number that reads as two different numbers (``1.234`` in German)."""


#: Characters read as a thousands separator besides the locale's own: spaces (typed as a
#: plain, no-break or narrow no-break space), as French writes ``1 234``.
_SPACES = " \xa0\u202f"
_DIGITS = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?:G[0-9]{3})+")


def field_key(code: str, locale: str | None, scope: str | None) -> str:
    """The input name of one value."""
    return f"{PREFIX}.{code}.{locale or NONE}.{scope or NONE}"


def split_key(key: str) -> tuple[str, str | None, str | None] | None:
    """``field_key`` reversed; None for anything else."""
    parts = key.split(".")
    if len(parts) != 4 or parts[0] != PREFIX or not parts[1]:
        return None
    _, code, locale, scope = parts
    return code, None if locale == NONE else locale, None if scope == NONE else scope


def raw_from_data(attr: AttrSpec, data):
    """What the inputs of ``attr`` show for stored ``data``."""
    if attr.type == "boolean":
        return bool(data)
    if attr.type == "multi_select":
        return list(data or [])
    if attr.type == "metric":
        data = data or {}
        return {
            "amount": show_number_input(data.get("amount", "")),
            "unit": data.get("unit") or attr.default_unit,
        }
    if attr.type == "price":
        return {item["currency"]: show_number_input(item["amount"]) for item in data or []}
    if attr.type == "number":
        return show_number_input(data)
    return "" if data is None else str(data)


def show_number_input(value, locale: Locale | str | None = None) -> str:
    """A stored number as an input shows it: every decimal kept, the locale's decimal
    separator and no thousands separator (``1234,5`` in French), so that
    :func:`read_number` reads it back unchanged."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return str(value)  # not a number (never stored so): shown as it is
    if not number.is_finite():
        return str(value)
    text = format(number, "f")  # keeps the stored precision ("15.00" stays 15,00)
    return text.replace(".", get_decimal_symbol(locale or ui_locale()))


def read_number(text: str, locale: Locale | str | None = None) -> str:
    """A typed number in the canonical dot format (``"1234.5"``); "" for blank input.

    Strict rules, for the UI language ``locale`` (the request's by default):

    - the locale's decimal separator is the decimal separator (``12,5`` in fr/de/it/es);
    - thousands separators (the locale's, or a space) are allowed only between groups of
      three digits (``1 234,5`` in French, ``1.234,5`` in German, ``1,234.5`` in English);
    - a dot is also read as a decimal point, so that ``12.5`` pasted from elsewhere
      works, when the locale does not group with dots; in German, Italian and Spanish,
      where it does, a dot that can only be a decimal point (``12.5``, ``0.750``) is
      one, several well-placed dots group thousands (``1.234.567``), and a single dot
      before exactly three digits (``1.234``) is refused as ambiguous
      (:class:`AmbiguousNumber`);
    - anything else (letters, exponents, two decimal separators, misplaced groups)
      is refused: :class:`NumberInputError` says why.
    """
    text = text.strip()
    if not text:
        return ""
    locale = locale or ui_locale()
    decimal, group = get_decimal_symbol(locale), get_group_symbol(locale)
    sign = "-" if text[:1] in "-\u2212" else ""
    body = text[1:].lstrip() if sign else text
    if decimal in body:
        whole, _sep, fraction = body.partition(decimal)
    elif "." in body and group == ".":
        whole, fraction = _dot_in_grouping_locale(text, body, decimal)
    elif "." in body:
        whole, _sep, fraction = body.partition(".")  # pasted with a decimal point
    else:
        whole, fraction = body, ""
    whole = _ungrouped(whole, group)
    if whole is None or not (fraction == "" or _DIGITS.fullmatch(fraction)):
        raise NumberInputError(_("“%(text)s” is not a number", text=text))
    if fraction == "" and body.endswith((decimal, ".")):
        raise NumberInputError(_("“%(text)s” is not a number", text=text))
    number = Decimal(f"{sign}{whole}.{fraction or 0}")
    return canonical_decimal(number)


def _dot_in_grouping_locale(text: str, body: str, decimal: str) -> tuple[str, str]:
    """(whole, fraction) of ``body`` holding dots but no decimal separator, in a locale
    grouping thousands with dots."""
    if body.count(".") > 1:
        return body, ""  # only groups can repeat: 1.234.567
    whole, _sep, fraction = body.partition(".")
    if _GROUPED.fullmatch(body.replace(".", "G")):
        example = whole + fraction
        raise AmbiguousNumber(
            _(
                "“%(text)s” is ambiguous: write %(whole)s for the whole number or "
                "%(decimal)s for the decimal one",
                text=text,
                whole=example,
                decimal=f"{whole}{decimal}{fraction}",
            )
        )
    return whole, fraction


def _ungrouped(whole: str, group: str) -> str | None:
    """The integer part's digits without its thousands separators; None when they are
    not between groups of three digits (or there is anything but digits)."""
    if _DIGITS.fullmatch(whole):
        return whole
    separators = set(_SPACES) | {group}
    marked = "".join("G" if char in separators else char for char in whole)
    if _GROUPED.fullmatch(marked):
        return marked.replace("G", "")
    return None


def raw_from_form(form, key: str, attr: AttrSpec, currencies) -> object:
    """What the user submitted for one field, in the shape of :func:`raw_from_data`."""
    if attr.type == "boolean":
        return form.get(key) == "1"
    if attr.type == "multi_select":
        return form.getlist(key)
    if attr.type == "metric":
        return {
            "amount": form.get(f"{key}.amount", ""),
            "unit": form.get(f"{key}.unit") or attr.default_unit,
        }
    if attr.type == "price":
        return {c: form[f"{key}.{c}"] for c in currencies if f"{key}.{c}" in form}
    return form.get(key, "")


def parse(attr: AttrSpec, raw, stored):
    """Payload data for one field; ``stored`` is the value saved before (or None).

    The service validates what comes out; this only maps inputs to the data shape and
    keeps what the inputs cannot express (prices in other currencies, option order).
    """
    if attr.type == "boolean":
        # an empty boolean left unticked stays empty rather than becoming "No"
        return True if raw else (None if stored is None else False)
    if attr.type == "multi_select":
        chosen = [code for code in raw if code]
        return list(stored) if stored and set(stored) == set(chosen) else chosen or None
    if attr.type == "metric":
        amount = _typed_number(raw["amount"])
        return {"amount": amount, "unit": raw["unit"]} if amount else None
    if attr.type == "price":
        return _parse_prices(raw, stored)
    text = raw.replace("\r\n", "\n") if attr.type == "textarea" else raw
    if attr.type == "number":
        return _typed_number(text) or None
    if attr.type == "date":
        text = text.strip()
    return text or None


def _parse_prices(raw: dict, stored) -> list | None:
    amounts = {item["currency"]: item["amount"] for item in stored or []}
    for currency, amount in raw.items():
        number = _typed_number(amount)
        if number:
            amounts[currency] = number
        else:
            amounts.pop(currency, None)
    return [{"amount": amounts[c], "currency": c} for c in sorted(amounts)] or None


def _typed_number(text: str) -> str:
    """A typed number for the payload: canonical when readable; text that is no number
    at all is passed on as typed, for the service to refuse next to its field ("'abc' is
    not a valid number"), as the API would. Ambiguous input raises AmbiguousNumber: passed
    on, it could be stored as the wrong number."""
    try:
        return read_number(text)
    except AmbiguousNumber:
        raise
    except NumberInputError:
        return text.strip()


def same_data(attr: AttrSpec, raw, data) -> bool:
    """Whether submitted ``raw`` says the same as stored ``data`` (input that cannot be
    read is a change: it is shown back with its message)."""
    try:
        return parse(attr, raw, data) == parse(attr, raw_from_data(attr, data), data)
    except AmbiguousNumber:
        return False


def submitted_fields(form, editable: dict) -> list[str]:
    """Keys listed in the hidden ``fields`` inputs that the page really offers."""
    return [key for key in dict.fromkeys(form.getlist("fields")) if key in editable]


def values_payload(form, editable: dict, stored: dict, currencies) -> dict:
    """The ``values`` part of the payload from the submitted form.

    ``editable`` maps field keys to their attribute; ``stored`` is the level's own values.
    Raises :class:`InputError` naming every field whose number is ambiguous.
    """
    values: dict = {}
    problems: list[Problem] = []
    for key in submitted_fields(form, editable):
        attr = editable[key]
        code, locale, scope = split_key(key)
        old = _stored_data(stored, code, locale, scope)
        try:
            data = parse(attr, raw_from_form(form, key, attr, currencies), old)
        except AmbiguousNumber as error:
            problems.append(Problem(str(error), attribute=code, locale=locale, scope=scope))
            continue
        values.setdefault(code, []).append({"locale": locale, "scope": scope, "data": data})
    if problems:
        raise InputError(problems)
    return values


def _stored_data(values: dict, code: str, locale, scope):
    for entry in values.get(code, ()):
        if entry["locale"] == locale and entry["scope"] == scope:
            return entry["data"]
    return None


def header_payload(form) -> dict:
    """``enabled`` / ``workflow_status`` / ``lifecycle`` when the form showed them.

    The service checks the values; the page only offers the allowed ones.
    """
    payload: dict = {}
    if "enabled" in form.getlist("fields"):
        payload["enabled"] = form.get("enabled") == "1"
    for name in ("workflow_status", "lifecycle"):
        if form.get(name):
            payload[name] = form[name]
    return payload


def categories_payload(form) -> list[str] | None:
    """The ticked category codes when the form showed the category picker, else None."""
    if "categories" not in form.getlist("fields"):
        return None
    return list(dict.fromkeys(code for code in form.getlist("categories") if code))


def expected_version(form) -> int:
    """The version the user edited (hidden ``version`` input)."""
    try:
        number = int(form.get("version", ""))
    except ValueError:
        raise FormError(_("the form has no valid version number")) from None
    if number < 1:
        raise FormError(_("the form has no valid version number"))
    return number
