"""Akeneo cells → values in Vitrine's standard format (validated later by the services).

Conventions: prices as ``price-EUR`` columns or one cell ``10.00 EUR, 14.00 USD``;
metrics as ``weight`` + ``weight-unit`` or one cell ``500 GRAM``; multi selects
comma-separated; booleans ``1``/``0``; dates ``YYYY-MM-DD`` (a time part is dropped).
Image and file cells are paths relative to the import folder: they become
:class:`MediaRef` for pending media links, never values. An empty cell gives no value
(it never clears one).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pim.imports.akeneo.columns import Layout, ValueColumn
from pim.imports.akeneo.reading import cell_text, codes
from pim.imports.akeneo.summary import Fault
from pim.services.structure_cache import AttrSpec
from pim.units import UNIT_FAMILIES


class CellError(ValueError):
    """A cell that cannot be read; names the column and the value."""

    def __init__(self, column: str, value: str, reason: str):
        super().__init__(reason)
        self.fault = Fault(column, value, reason)


@dataclass(frozen=True)
class MediaRef:
    """An image or file cell: the value it belongs to and the path it names."""

    attribute: str
    locale: str | None
    scope: str | None
    column: str
    path: str


@dataclass
class RowValues:
    """The values of one row, where each came from, its media and its faults."""

    values: dict = field(default_factory=dict)
    #: value key (attribute, locale, scope) → [(column, cell text)]
    sources: dict = field(default_factory=dict)
    media: list[MediaRef] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)

    def where(self, key: tuple) -> tuple[str | None, str | None]:
        """The column(s) and cell text(s) a value key came from, for reports."""
        sources = self.sources.get(key, [])
        if not sources:
            return None, None
        return ", ".join(c for c, _ in sources), "; ".join(t for _, t in sources)


def read_values(cells: dict, layout: Layout) -> RowValues:
    """Collect the filled value columns of a row and convert each value."""
    result = RowValues()
    groups: dict[tuple, dict] = {}
    specs: dict[tuple, ValueColumn] = {}
    for column, spec in layout.values.items():
        text = cell_text(cells.get(column))
        if text.strip():
            groups.setdefault(spec.key, {})[spec.part] = (column, text)
            specs.setdefault(spec.key, spec)
    for key, parts in groups.items():
        result.sources[key] = list(parts.values())
        _add_value(result, specs[key], parts)
    return result


def _add_value(result: RowValues, spec: ValueColumn, parts: dict) -> None:
    attr = spec.attribute
    try:
        data = _datum(attr, parts)
    except CellError as error:
        result.faults.append(error.fault)
        return
    if data is None:
        return
    if attr.type == "asset_collection":
        column = parts[None][0]
        result.media.append(MediaRef(attr.code, spec.locale, spec.scope, column, data))
        return
    entry = {"locale": spec.locale, "scope": spec.scope, "data": data}
    result.values.setdefault(attr.code, []).append(entry)


def _datum(attr: AttrSpec, parts: dict):
    if attr.type == "price":
        return _price(parts)
    if attr.type == "metric":
        return _metric(attr, parts)
    if None not in parts:
        return None
    column, text = parts[None]
    if attr.type in ("text", "textarea"):
        return text
    if attr.type == "boolean":
        return _boolean(column, text)
    if attr.type == "multi_select":
        return codes(text)
    if attr.type == "date":
        return _date(text)
    return text.strip()


def _boolean(column: str, text: str) -> bool:
    word = text.strip().lower()
    if word not in ("1", "0", "true", "false"):
        raise CellError(column, text, "must be 1 or 0")
    return word in ("1", "true")


def _date(text: str) -> str:
    text = text.strip()
    # Akeneo versions that export a date-time (2024-03-01T00:00:00+00:00) mean the day
    return text[:10] if len(text) > 10 and text[10] == "T" else text


def _price(parts: dict) -> list[dict]:
    prices = []
    if None in parts:
        column, text = parts[None]
        for item in (p.strip() for p in text.split(",")):
            pieces = item.split()
            if len(pieces) != 2:
                reason = "a price must read like '10.00 EUR, 14.00 USD'"
                raise CellError(column, text, reason)
            prices.append({"amount": pieces[0], "currency": pieces[1]})
    for currency, (_column, text) in parts.items():
        if currency is not None:
            prices.append({"amount": text.strip(), "currency": currency})
    return prices


def _metric(attr: AttrSpec, parts: dict) -> dict | None:
    if None not in parts:
        return None  # a unit without an amount is no value
    column, text = parts[None]
    if "unit" in parts:
        amount, (unit_column, unit) = text.strip(), parts["unit"]
        unit = unit.strip()
    else:
        pieces, unit_column = text.split(), column
        if len(pieces) != 2:
            reason = f"a metric needs a unit: '500 GRAM', or a {column}-unit column"
            raise CellError(column, text, reason)
        amount, unit = pieces
    units = UNIT_FAMILIES.get(attr.metric_family or "", {})
    if unit not in units:
        reason = f"unknown unit {unit!r} for {attr.metric_family} (use {', '.join(units)})"
        raise CellError(unit_column, unit, reason)
    return {"amount": amount, "unit": unit}
