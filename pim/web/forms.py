"""Product edit form: field names, and form input ↔ standard-format data per attribute type.

Each value the form edits is one *field* named ``v.<attribute>.<locale>.<scope>`` (``~`` for
no locale or scope). Metric fields add ``.amount`` / ``.unit``, prices ``.<currency>``. A
hidden ``fields`` input lists every field the form showed: only those are read, so an
unchecked checkbox means "No" only when its field was really on the page (the same goes for
the status fields, ``enabled``, and the category picker, ``categories``).

*Raw* is what the inputs hold (text, a bool, a list, or a dict of parts); :func:`raw_from_data`
and :func:`raw_from_form` produce it, :func:`parse` turns it into payload data.
"""

from __future__ import annotations

from flask_babel import gettext as _

from pim.services.structure_cache import AttrSpec

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
            "amount": str(data.get("amount", "")),
            "unit": data.get("unit") or attr.default_unit,
        }
    if attr.type == "price":
        return {item["currency"]: str(item["amount"]) for item in data or []}
    return "" if data is None else str(data)


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
        amount = raw["amount"].strip()
        return {"amount": amount, "unit": raw["unit"]} if amount else None
    if attr.type == "price":
        return _parse_prices(raw, stored)
    text = raw.replace("\r\n", "\n") if attr.type == "textarea" else raw
    if attr.type in {"number", "date"}:
        text = text.strip()
    return text or None


def _parse_prices(raw: dict, stored) -> list | None:
    amounts = {item["currency"]: item["amount"] for item in stored or []}
    for currency, amount in raw.items():
        if amount.strip():
            amounts[currency] = amount.strip()
        else:
            amounts.pop(currency, None)
    return [{"amount": amounts[c], "currency": c} for c in sorted(amounts)] or None


def submitted_fields(form, editable: dict) -> list[str]:
    """Keys listed in the hidden ``fields`` inputs that the page really offers."""
    return [key for key in dict.fromkeys(form.getlist("fields")) if key in editable]


def values_payload(form, editable: dict, stored: dict, currencies) -> dict:
    """The ``values`` part of the payload from the submitted form.

    ``editable`` maps field keys to their attribute; ``stored`` is the level's own values.
    """
    values: dict = {}
    for key in submitted_fields(form, editable):
        attr = editable[key]
        code, locale, scope = split_key(key)
        old = _stored_data(stored, code, locale, scope)
        data = parse(attr, raw_from_form(form, key, attr, currencies), old)
        values.setdefault(code, []).append({"locale": locale, "scope": scope, "data": data})
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
