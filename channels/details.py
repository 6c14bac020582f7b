"""What grouped and printed formats need besides the mapped fields, as item flags.

The pipeline adds these to every item (see :mod:`channels.formats.base`): ``_axes`` (the
variant's axis values, labelled in the feed's locale), ``_group_label`` (the model's name),
``_categories`` (labels and trails in tree order) and, for writers that ask for them,
``_features`` (every filled attribute as text, metric units as UN/ECE Rec. 20 codes).
"""

from __future__ import annotations

from sqlalchemy import select

from channels.mapping import Context, Subject, as_text, attribute_value
from pim.models import Category
from pim.services.structure_cache import Structure

#: catalogue unit → UN/ECE Recommendation 20 common code (BMEcat, GS1)
UNECE_UNITS = {
    "MILLIGRAM": "MGM",
    "GRAM": "GRM",
    "KILOGRAM": "KGM",
    "OUNCE": "ONZ",
    "POUND": "LBR",
    "MILLIMETER": "MMT",
    "CENTIMETER": "CMT",
    "METER": "MTR",
    "INCH": "INH",
    "FOOT": "FOT",
    "MILLILITER": "MLT",
    "LITER": "LTR",
}
#: attribute types never listed as features (prices and pictures have their own fields)
NOT_FEATURES = frozenset({"price", "asset_collection", "identifier"})


class CategoryLabels:
    """Every category's code, label in one locale and place in the tree, loaded once."""

    def __init__(self, session, locale: str) -> None:
        rows = session.execute(
            select(Category.id, Category.code, Category.labels, Category.sort_order)
        ).all()
        self.nodes = {
            id_: (code, _label(labels, locale, code), order) for id_, code, labels, order in rows
        }

    def describe(self, paths: dict[str, str]) -> list[dict]:
        """``{code: path}`` as ``[{"code", "label", "trail"}]`` in tree order."""
        described = []
        for code, path in paths.items():
            ids = [int(part) for part in path.strip("/").split("/") if part]
            nodes = [self.nodes[i] for i in ids if i in self.nodes]
            if not nodes:
                continue
            described.append(
                (
                    [(order, node_code) for node_code, _label_, order in nodes],
                    {
                        "code": code,
                        "label": nodes[-1][1],
                        "trail": " > ".join(label for _code, label, _order in nodes),
                    },
                )
            )
        described.sort(key=lambda pair: pair[0])
        return [entry for _key, entry in described]


def _label(labels: dict | None, locale: str, fallback: str) -> str:
    labels = labels or {}
    return labels.get(locale) or next((text for text in labels.values() if text), fallback)


def axes_of(subject: Subject, axis_codes: list[str], context: Context) -> list[dict]:
    """The variant's axis values: ``[{"code", "label", "value", "value_label"}]``;
    an axis without a value is left out (writers refuse such variants)."""
    axes = []
    for code in axis_codes:
        spec = context.structure.attributes.get(code)
        if spec is None:
            continue
        value = _value(code, subject, context)
        if value in (None, "", []):
            continue
        axes.append(
            {
                "code": code,
                "label": spec.label(context.locale),
                "value": as_text(value),
                "value_label": _text(spec, value, context.locale),
            }
        )
    return axes


def features_of(subject: Subject, context: Context) -> list[dict]:
    """Every filled attribute of the product (inherited ones included) in attribute order,
    as text in the feed's locale; prices, pictures and the identifier left out."""
    structure: Structure = context.structure
    features = []
    for code, spec in structure.attributes.items():
        if code not in subject.values or spec.type in NOT_FEATURES:
            continue
        value = _value(code, subject, context)
        if value in (None, "", []):
            continue
        unit = None
        if isinstance(value, dict) and "unit" in value:
            unit = UNECE_UNITS.get(value["unit"])
            text = as_text(value["amount"])
        else:
            text = _text(spec, value, context.locale)
        features.append(
            {
                "code": code,
                "label": spec.label(context.locale),
                "type": spec.type,
                "value": text,
                "unit": unit,
            }
        )
    return features


def _value(code: str, subject: Subject, context: Context):
    """The value for the feed's locale and channel, without recording exclusions: a missing
    translation of a detail never excludes an item (the mapping decides that)."""
    problems = context.problems
    context.problems = []
    try:
        return attribute_value(code, subject, context)
    finally:
        context.problems = problems


def _text(spec, value, locale: str) -> str:
    """A value as shown to people: option labels, yes/no, plain text."""
    if spec.options:
        codes = value if isinstance(value, list) else [value]
        return ", ".join(_label(spec.options.get(c), locale, c) for c in codes)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return as_text(value)
