"""Field mappings: how a feed's fields are computed from a product's values.

A mapping is JSON, target field → source::

    {"title":       {"attribute": "name"},
     "id":          {"field": "identifier"},
     "condition":   {"constant": "new"},
     "description": {"expr": ["truncate", ["strip_html", {"attribute": "description"}], 5000]},
     "gender":      {"expr": ["map", {"attribute": "gender"}, {"women": "female"}, "unisex"]},
     "price":       {"expr": ["price", "price", "EUR"]},
     "weight":      {"expr": ["convert", {"attribute": "weight"}, "KILOGRAM"]}}

An ``attribute`` source reads the value for the feed's locale (when localizable) and the
feed's channel (when scopable); a price attribute gives the amount in the feed's currency.
An ``expr`` is ``[operation, argument…]`` (see :data:`OPERATIONS`); its arguments are sources,
nested ``[operation, …]`` lists or literals. :func:`check_mapping` names every unknown
attribute, field or operation, at save and again at run (an attribute may have been deleted).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from channels.formats.text import strip_html, truncate_words
from pim.i18n import N_, english
from pim.services.structure_cache import Structure
from pim.units import UNIT_FAMILIES, convert

SOURCE_KEYS = ("attribute", "field", "constant", "expr")
#: product fields a ``{"field": …}`` source may read
FIELDS = (
    "identifier",
    "parent",
    "group",
    "family",
    "categories",
    "lifecycle",
    "workflow_status",
    "enabled",
)
#: operation → (least, most) number of arguments
OPERATIONS = {
    "concat": (1, 50),
    "join": (2, 2),
    "first": (1, 50),
    "strip_html": (1, 1),
    "truncate": (2, 3),
    "map": (2, 3),
    "label": (1, 1),
    "price": (1, 2),
    "convert": (2, 2),
}


class MappingError(ValueError):
    """A mapping that cannot be evaluated; the message names the field and the cause."""


@dataclass
class Subject:
    """What a mapping reads about one product (loaded in bulk by the pipeline)."""

    identifier: str
    values: dict
    family: str | None = None
    parent: str | None = None
    group: str | None = None
    categories: list[str] = field(default_factory=list)
    lifecycle: str = ""
    workflow_status: str = ""
    enabled: bool = True


@dataclass
class Context:
    """The feed's settings while a mapping is evaluated, and the exclusions it found."""

    structure: Structure
    locale: str
    channel: str
    currency: str
    #: a value present in other locales but not the feed's: "exclude" leaves the item out,
    #: "empty" publishes it without that value, "fallback" takes ``fallback_locale``'s
    missing_translation: str = "exclude"
    fallback_locale: str | None = None
    problems: list[str] = field(default_factory=list)


# --- checking ----------------------------------------------------------------------------


def check_mapping(structure: Structure, mapping: dict) -> list[str]:
    """Every problem of ``mapping`` (unknown attribute, field, operation…), as sentences."""
    if not isinstance(mapping, dict):
        return [_("the mapping must be an object of target field → source")]
    problems = []
    for target, source in mapping.items():
        problems += [
            _("field %(target)s: %(problem)s", target=target, problem=p)
            for p in _check_source(structure, source)
        ]
    return problems


def _check_source(structure: Structure, source) -> Iterator[str]:
    if not isinstance(source, dict) or len(set(source) & set(SOURCE_KEYS)) != 1:
        yield _(
            "a source is an object with one of %(keys)s, got %(source)s",
            keys=", ".join(SOURCE_KEYS),
            source=repr(source),
        )
        return
    if "attribute" in source:
        if source["attribute"] not in structure.attributes:
            yield _("unknown attribute %(code)s", code=repr(source["attribute"]))
    elif "field" in source:
        if source["field"] not in FIELDS:
            yield _(
                "unknown product field %(field)s (known: %(fields)s)",
                field=repr(source["field"]),
                fields=", ".join(FIELDS),
            )
    elif "expr" in source:
        yield from _check_expr(structure, source["expr"])


def _check_expr(structure: Structure, expr) -> Iterator[str]:
    if not isinstance(expr, list) or not expr or expr[0] not in OPERATIONS:
        known = ", ".join(OPERATIONS)
        yield _(
            "an expression is [operation, argument…] with an operation among %(known)s",
            known=known,
        )
        return
    least, most = OPERATIONS[expr[0]]
    if not least <= len(expr) - 1 <= most:
        yield _(
            "%(operation)s takes %(least)s to %(most)s arguments, got %(count)s",
            operation=expr[0],
            least=least,
            most=most,
            count=len(expr) - 1,
        )
        return
    if expr[0] == "truncate" and not (isinstance(expr[2], int) and expr[2] > 0):
        yield _(
            "truncate needs a positive whole number of characters, got %(value)s",
            value=repr(expr[2]),
        )
    if expr[0] == "map" and not isinstance(expr[2], dict):
        yield _("map needs an object of code → value, got %(value)s", value=repr(expr[2]))
    if expr[0] in ("label", "price"):
        if expr[1] not in structure.attributes:
            yield _("unknown attribute %(code)s", code=repr(expr[1]))
        return
    for argument in expr[1:]:
        if _is_source(argument):
            yield from _check_source(structure, argument)
        elif _is_expr(argument):
            yield from _check_expr(structure, argument)
    if expr[0] == "convert" and not any(expr[2] in units for units in UNIT_FAMILIES.values()):
        yield _("unknown unit %(unit)s", unit=repr(expr[2]))


def attributes_of(mapping: dict) -> set[str]:
    """The attribute codes a mapping reads."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("attribute"), str):
                found.add(node["attribute"])
            for item in node.values():
                walk(item)
        elif isinstance(node, list):
            if node and node[0] in ("label", "price") and len(node) > 1:
                found.add(node[1])
            for item in node:
                walk(item)

    walk(mapping)
    return found


def _is_source(node) -> bool:
    return isinstance(node, dict) and len(set(node) & set(SOURCE_KEYS)) == 1


def _is_expr(node) -> bool:
    return isinstance(node, list) and bool(node) and node[0] in OPERATIONS


# --- evaluating --------------------------------------------------------------------------


def apply_mapping(mapping: dict, subject: Subject, context: Context) -> dict:
    """The item of ``subject``: target field → value (empty values are left out)."""
    item = {}
    for target, source in mapping.items():
        value = evaluate(source, subject, context)
        if value not in (None, "", []):
            item[target] = value
    return item


def evaluate(source, subject: Subject, context: Context):
    """The value of one source for ``subject``."""
    if "constant" in source:
        return source["constant"]
    if "field" in source:
        return getattr(subject, source["field"])
    if "attribute" in source:
        return attribute_value(source["attribute"], subject, context)
    return _evaluate_expr(source["expr"], subject, context)


def attribute_value(code: str, subject: Subject, context: Context, currency: str | None = None):
    """The attribute's data for the feed's locale and channel (a price: in the currency)."""
    spec = context.structure.attributes.get(code)
    if spec is None:
        raise MappingError(f"unknown attribute {code!r} (deleted since the feed was saved?)")
    locale = context.locale if spec.localizable else None
    scope = context.channel if spec.scopable else None
    entries = subject.values.get(code) or []
    data = next(
        (e.get("data") for e in entries if e.get("locale") == locale and e.get("scope") == scope),
        None,
    )
    if data in (None, "", []) and spec.localizable and context.missing_translation != "empty":
        data = _untranslated(code, entries, scope, context)
    if spec.type == "price" and data:
        return _price_in(code, data, currency or context.currency, context)
    if spec.type == "metric" and isinstance(data, dict):
        return {"amount": Decimal(str(data["amount"])), "unit": data["unit"]}
    return data


def _untranslated(code: str, entries: list, scope, context: Context):
    """The value to use when the feed's locale has none: the fallback locale's, or None
    with an exclusion when other locales have one."""
    if not any(e.get("data") not in (None, "", []) for e in entries):
        return None
    if context.missing_translation == "fallback" and context.fallback_locale:
        data = next(
            (
                e.get("data")
                for e in entries
                if e.get("locale") == context.fallback_locale and e.get("scope") == scope
            ),
            None,
        )
        if data not in (None, "", []):
            return data
        context.problems.append(
            english(
                N_("missing %(locale)s translation of %(code)s (and no %(fallback)s fallback)"),
                locale=context.locale,
                code=code,
                fallback=context.fallback_locale,
            )
        )
        return None
    context.problems.append(
        english(N_("missing %(locale)s translation of %(code)s"), locale=context.locale, code=code)
    )
    return None


def _price_in(code: str, data: list, currency: str, context: Context):
    for entry in data:
        if entry.get("currency") == currency and entry.get("amount") not in (None, ""):
            return {"amount": Decimal(str(entry["amount"])), "currency": currency}
    context.problems.append(
        english(N_("no %(code)s in %(currency)s"), code=code, currency=currency)
    )
    return None


def _argument(node, subject: Subject, context: Context):
    if _is_source(node):
        return evaluate(node, subject, context)
    if _is_expr(node):
        return _evaluate_expr(node, subject, context)
    return node


def _evaluate_expr(expr: list, subject: Subject, context: Context):
    operation, raw = expr[0], expr[1:]
    if operation == "label":
        return _label(raw[0], subject, context)
    if operation == "price":
        return attribute_value(raw[0], subject, context, currency=(raw[1:] or [None])[0])
    args = [_argument(node, subject, context) for node in raw]
    if operation == "concat":
        return "".join(as_text(arg) for arg in args)
    if operation == "join":
        return str(args[0]).join(as_text(arg) for arg in args[1] or [])
    if operation == "first":
        return next((arg for arg in args if arg not in (None, "", [])), None)
    if operation == "strip_html":
        return strip_html(as_text(args[0]))
    if operation == "truncate":
        return truncate_words(as_text(args[0]), int(args[1]), args[2] if len(args) > 2 else "")
    if operation == "map":
        return _map(args[0], args[1], args[2] if len(args) > 2 else None)
    return _convert(args[0], args[1])


def _label(code: str, subject: Subject, context: Context):
    data = attribute_value(code, subject, context)
    options = context.structure.attributes[code].options
    codes = data if isinstance(data, list) else [data] if data else []
    labels = [_option_label(options.get(c) or {}, c, context.locale) for c in codes]
    return labels if isinstance(data, list) else (labels[0] if labels else None)


def _option_label(labels: dict, code: str, locale: str) -> str:
    return labels.get(locale) or next((t for t in labels.values() if t), code)


def _map(value, table: dict, default):
    if isinstance(value, list):
        return [table.get(v, default) for v in value if table.get(v, default) is not None]
    if value in (None, ""):
        return default
    return table.get(value, default)


def _convert(value, unit: str):
    if not isinstance(value, dict) or "unit" not in value:
        return None
    family = next((f for f, units in UNIT_FAMILIES.items() if value["unit"] in units), None)
    if family is None or unit not in UNIT_FAMILIES[family]:
        raise MappingError(f"cannot convert {value['unit']} to {unit}")
    amount = convert(Decimal(str(value["amount"])), value["unit"], unit, family)
    return {"amount": amount.normalize(), "unit": unit}


def as_text(value) -> str:
    """A value as plain text: prices ``19.90 EUR``, measures ``180 GRAM``, lists comma-joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict) and value.get("currency"):
        return f"{Decimal(str(value['amount'])).quantize(Decimal('0.01'))} {value['currency']}"
    if isinstance(value, dict) and "amount" in value:
        return f"{_decimal_text(value['amount'])} {value.get('unit') or ''}".strip()
    if isinstance(value, list):
        return ",".join(as_text(item) for item in value)
    if isinstance(value, Decimal):
        return _decimal_text(value)
    return str(value)


def _decimal_text(amount) -> str:
    try:
        number = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    if number == number.to_integral():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")
