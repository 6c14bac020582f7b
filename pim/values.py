"""Validation and normalisation of values in the standard format, per attribute type.

A values document is ``{attribute_code: [{"locale": str|None, "scope": str|None,
"data": ...}]}``. :func:`normalize_values` checks every entry against its attribute and
returns the canonical form stored in the database, or raises :class:`InvalidData`
listing every problem (attribute, locale, scope and the rule broken).

Data shapes by type: text/textarea ``str``; number ``int`` (integers) or ``str`` decimal;
metric ``{"amount": str, "unit": str}``; price ``[{"amount": str, "currency": str}]``
sorted by currency; boolean ``bool``; date ``"YYYY-MM-DD"``; simple select an option
code; multi select a list of option codes; asset collection a list of asset codes.
Empty data (``None``, ``""``, ``[]``) means "no value" and is dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

import nh3
from babel.numbers import get_currency_precision
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from pim.services.errors import InvalidData, Problem
from pim.services.structure_cache import AttrSpec, Structure
from pim.units import UNIT_FAMILIES, convert

DEFAULT_TEXT_LENGTH = 255
DEFAULT_TEXTAREA_LENGTH = 65_535
MAX_CODE_LENGTH = 100


class _Refused(ValueError):
    """Raised by a type checker; the message is the broken rule."""


#: types whose empty instances mean "no value"
_SIZED = (str, list, dict)


def is_empty(data) -> bool:
    """Whether ``data`` counts as no value (for storage and completeness)."""
    if data is None:
        return True
    if isinstance(data, str | list | dict):
        return not data
    return False


def value_key(attribute: str, locale: str | None, scope: str | None) -> str:
    """A readable flat key for one value: ``name-fr_FR-ecommerce`` (tokens when set)."""
    return "-".join(part for part in (attribute, locale, scope) if part)


def normalize_values(
    structure: Structure,
    values: dict,
    *,
    subject: str,
    allowed: Iterable[str] | None = None,
    why_not_allowed: Callable[[str], str] | None = None,
) -> dict:
    """Validate ``values`` and return them normalised; raise InvalidData otherwise.

    ``allowed`` restricts which attribute codes may be set (family and variant level);
    ``why_not_allowed(code)`` explains a refusal.
    """
    if not isinstance(values, dict):
        raise InvalidData(subject, [Problem(_("values must be an object"), field="values")])
    allowed_set = set(allowed) if allowed is not None else None
    problems: list[Problem] = []
    result: dict = {}
    for code, entries in values.items():
        attr = structure.attributes.get(code)
        if attr is None:
            problems.append(
                Problem(_("unknown attribute %(value)s", value=_show(code)), attribute=str(code))
            )
            continue
        if attr.type == "identifier":
            problems.append(
                Problem(_("the identifier is set as the product identifier"), attribute=code)
            )
            continue
        if allowed_set is not None and code not in allowed_set:
            reason = why_not_allowed(code) if why_not_allowed else _("not allowed here")
            problems.append(Problem(reason, attribute=code))
            continue
        kept = _normalize_entries(structure, attr, entries, problems)
        if kept:
            result[code] = kept
    if problems:
        raise InvalidData(subject, problems)
    return result


def _normalize_entries(structure, attr: AttrSpec, entries, problems) -> list:
    if not isinstance(entries, list):
        problems.append(Problem(_("must be a list of {locale, scope, data}"), attribute=attr.code))
        return []
    kept, seen = [], set()
    for entry in entries:
        if not isinstance(entry, dict) or "data" not in entry:
            problems.append(
                Problem(_("each entry needs locale, scope and data"), attribute=attr.code)
            )
            continue
        locale, scope = entry.get("locale"), entry.get("scope")
        problem = _context_problem(structure, attr, locale, scope)
        if problem is None and (locale, scope) in seen:
            problem = _("given twice for the same locale and scope")
        if problem is not None:
            problems.append(Problem(problem, attribute=attr.code, locale=locale, scope=scope))
            continue
        seen.add((locale, scope))
        data = entry["data"]
        if data is None or (data.__class__ in _SIZED and not data):  # is_empty, inlined
            continue
        try:
            data = _CHECKERS[attr.type](structure, attr, data)
        except _Refused as refused:
            problems.append(Problem(str(refused), attribute=attr.code, locale=locale, scope=scope))
            continue
        if data is not None and not (data.__class__ in _SIZED and not data):
            kept.append({"locale": locale, "scope": scope, "data": data})
    if len(kept) > 1:
        kept.sort(key=lambda e: (e["scope"] or "", e["locale"] or ""))
    return kept


def _context_problem(structure, attr: AttrSpec, locale, scope) -> str | None:
    """:func:`_check_context`, remembered per structure snapshot (it depends on nothing
    else); unhashable locale or scope values are checked each time."""
    if not isinstance(locale, str | None) or not isinstance(scope, str | None):
        return _check_context(structure, attr, locale, scope)
    cache = structure.context_problems
    key = (attr.code, locale, scope)
    if key not in cache:
        cache[key] = _check_context(structure, attr, locale, scope)
    problem = cache[key]
    return None if problem is None else str(problem)  # the lazy message in today's language


def _check_context(structure, attr: AttrSpec, locale, scope) -> str | None:
    if attr.localizable:
        if not isinstance(locale, str) or not locale:
            return lazy_gettext("is localizable: a locale is required")
        if locale not in structure.active_locales:
            return lazy_gettext(
                "locale %(locale)s is not activated in any channel", locale=_show(locale)
            )
    elif locale is not None:
        return lazy_gettext("is not localizable: locale must be null")
    if attr.scopable:
        channel = structure.channels.get(scope) if isinstance(scope, str) else None
        if channel is None:
            return lazy_gettext(
                "is scopable: scope must be a channel code, not %(scope)s", scope=_show(scope)
            )
        if attr.localizable and locale not in channel.locales:
            return lazy_gettext(
                "locale %(locale)s is not activated for channel %(scope)s",
                locale=locale,
                scope=scope,
            )
    elif scope is not None:
        return lazy_gettext("is not scopable: scope must be null")
    return None


def normalize_data(structure: Structure, attr: AttrSpec, data):
    """Check one datum against its attribute; return the canonical form or raise."""
    if is_empty(data):
        return None
    return _CHECKERS[attr.type](structure, attr, data)


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…'"


def _text(structure, attr: AttrSpec, data):
    if not isinstance(data, str):
        raise _Refused(_("must be text, got %(name)s", name=type(data).__name__))
    if "\x00" in data:
        raise _Refused(_("contains a NUL byte"))
    if attr.type == "textarea" and attr.rich_text:
        data = nh3.clean(data)
    limit = attr.max_length or (
        DEFAULT_TEXTAREA_LENGTH if attr.type == "textarea" else DEFAULT_TEXT_LENGTH
    )
    if len(data) > limit:
        raise _Refused(
            _(
                "is %(count)s characters long, the maximum is %(limit)s",
                count=len(data),
                limit=limit,
            )
        )
    if attr.type == "text" and ("\n" in data or "\r" in data):
        raise _Refused(_("must be a single line (use a textarea attribute for several lines)"))
    if attr.regex is not None and not attr.regex.fullmatch(data):
        raise _Refused(
            _(
                "%(value)s does not match the pattern %(pattern)s",
                value=_show(data),
                pattern=attr.regex.pattern,
            )
        )
    return data


def _decimal(data, what: str = "number") -> Decimal:
    amount, shown = what == "amount", _show(data)
    if isinstance(data, bool) or not isinstance(data, int | float | str | Decimal):
        if amount:
            raise _Refused(_("must be an amount, got %(value)s", value=shown))
        raise _Refused(_("must be a number, got %(value)s", value=shown))
    try:
        number = Decimal(str(data).strip())
    except InvalidOperation:
        if amount:
            raise _Refused(_("%(value)s is not a valid amount", value=shown)) from None
        raise _Refused(_("%(value)s is not a valid number", value=shown)) from None
    if not number.is_finite():
        if amount:
            raise _Refused(_("%(value)s is not a finite amount", value=shown))
        raise _Refused(_("%(value)s is not a finite number", value=shown))
    if abs(number) >= Decimal("1e15"):
        raise _Refused(_("%(value)s is too large", value=_show(data)))
    return number


def _check_bounds(attr: AttrSpec, number: Decimal) -> None:
    if not attr.decimals_allowed and number != number.to_integral_value():
        raise _Refused(
            _("%(number)s must be a whole number (decimals are not allowed)", number=number)
        )
    if attr.min_value is not None and number < attr.min_value:
        raise _Refused(
            _(
                "%(number)s is below the minimum %(min_value)s",
                number=number,
                min_value=attr.min_value,
            )
        )
    if attr.max_value is not None and number > attr.max_value:
        raise _Refused(
            _(
                "%(number)s is above the maximum %(max_value)s",
                number=number,
                max_value=attr.max_value,
            )
        )


def canonical_decimal(number: Decimal) -> str:
    """``Decimal('12.50')`` → ``"12.5"``, never in exponent notation."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _number(structure, attr: AttrSpec, data):
    number = _decimal(data)
    _check_bounds(attr, number)
    if not attr.decimals_allowed:
        return int(number)
    return canonical_decimal(number)


def _metric(structure, attr: AttrSpec, data):
    if not isinstance(data, dict) or "amount" not in data or "unit" not in data:
        raise _Refused(_('must be {"amount": …, "unit": …}'))
    units = UNIT_FAMILIES.get(attr.metric_family or "", {})
    unit = data["unit"]
    if unit not in units:
        raise _Refused(
            _("unit %(value)s is not one of %(units)s", value=_show(unit), units=", ".join(units))
        )
    amount = _decimal(data["amount"], "amount")
    if amount < 0:
        raise _Refused(_("%(amount)s %(unit)s is negative", amount=amount, unit=unit))
    default_unit = attr.default_unit or unit
    _check_bounds(attr, convert(amount, unit, default_unit, attr.metric_family))
    return {"amount": canonical_decimal(amount), "unit": unit}


def _price(structure, attr: AttrSpec, data):
    if not isinstance(data, list):
        raise _Refused(_('must be a list of {"amount": …, "currency": …}'))
    prices = {}
    for item in data:
        if not isinstance(item, dict) or "currency" not in item or "amount" not in item:
            raise _Refused(_('each price needs "amount" and "currency"'))
        currency = item["currency"]
        if currency not in structure.currencies:
            raise _Refused(_("currency %(value)s is not enabled", value=_show(currency)))
        if currency in prices:
            raise _Refused(_("currency %(currency)s is given twice", currency=currency))
        if is_empty(item["amount"]):
            continue
        amount = _decimal(item["amount"], "amount")
        if amount < 0:
            raise _Refused(
                _("%(amount)s %(currency)s is negative", amount=amount, currency=currency)
            )
        _check_bounds(attr, amount)
        digits = get_currency_precision(currency)
        if -amount.as_tuple().exponent > digits and amount != amount.quantize(
            Decimal(1).scaleb(-digits)
        ):
            raise _Refused(
                _(
                    "%(amount)s %(currency)s has more than %(digits)s decimals",
                    amount=amount,
                    currency=currency,
                    digits=digits,
                )
            )
        prices[currency] = format(amount.quantize(Decimal(1).scaleb(-digits)), "f")
    return [{"amount": prices[c], "currency": c} for c in sorted(prices)]


def _boolean(structure, attr: AttrSpec, data):
    if not isinstance(data, bool):
        raise _Refused(_("must be true or false, got %(value)s", value=_show(data)))
    return data


def _date(structure, attr: AttrSpec, data):
    if not isinstance(data, str):
        raise _Refused(_("must be a date YYYY-MM-DD, got %(value)s", value=_show(data)))
    try:
        day = dt.date.fromisoformat(data)
    except ValueError:
        raise _Refused(_("%(value)s is not a date YYYY-MM-DD", value=_show(data))) from None
    if len(data) != 10:
        raise _Refused(_("%(value)s is not a date YYYY-MM-DD", value=_show(data)))
    return day.isoformat()


def _simple_select(structure, attr: AttrSpec, data):
    if not isinstance(data, str):
        raise _Refused(_("must be an option code, got %(value)s", value=_show(data)))
    if data not in attr.options:
        raise _Refused(
            _("%(value)s is not an option of %(code)s", value=_show(data), code=attr.code)
        )
    return data


def _multi_select(structure, attr: AttrSpec, data):
    if not isinstance(data, list) or not all(isinstance(code, str) for code in data):
        raise _Refused(_("must be a list of option codes"))
    unknown = [code for code in data if code not in attr.options]
    if unknown:
        raise _Refused(
            _(
                "%(options)s not an option of %(code)s",
                options=", ".join(map(_show, unknown)),
                code=attr.code,
            )
        )
    return list(dict.fromkeys(data))


def _asset_collection(structure, attr: AttrSpec, data):
    if not isinstance(data, list) or not all(isinstance(code, str) for code in data):
        raise _Refused(_("must be a list of asset codes"))
    for code in data:
        if not code or len(code) > MAX_CODE_LENGTH or "\x00" in code:
            raise _Refused(_("%(value)s is not a valid asset code", value=_show(code)))
    return list(dict.fromkeys(data))


_CHECKERS = {
    "text": _text,
    "textarea": _text,
    "number": _number,
    "metric": _metric,
    "price": _price,
    "boolean": _boolean,
    "date": _date,
    "simple_select": _simple_select,
    "multi_select": _multi_select,
    "asset_collection": _asset_collection,
}
