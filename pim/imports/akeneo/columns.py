"""The columns of ``products.csv`` and ``product_models.csv``: what each one holds.

A value column is named ``code[-locale][-channel]``: the locale token is present only for
localizable attributes and the channel token only for scopable ones. Prices may add a
currency (``price-EUR``) and metrics a ``-unit`` column (``weight-unit``). Association
columns are ``TYPE-products``, ``TYPE-product_models`` and ``TYPE-groups``. Everything
else is a field column (``family``, ``parent``…), a column that is ignored, or an unknown
column, which refuses every row that fills it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pim.services.structure_cache import AttrSpec, Structure

#: association column suffix → payload key (None: not supported, a warning when filled)
LINK_TARGETS = {"products": "products", "product_models": "product_models"}
LINK_IGNORED = {
    "groups": "links to product groups are not supported",
    "product_uuids": "links by product uuid are not supported (the identifier columns are read)",
}
QUANTITIES = "quantities of quantified associations are not supported"


@dataclass(frozen=True)
class ValueColumn:
    """A column holding (part of) a value: the value itself, a metric unit or one price."""

    attribute: AttrSpec
    locale: str | None
    scope: str | None
    #: None for the value itself, "unit" for a metric unit, a currency code for a price
    part: str | None = None

    @property
    def key(self) -> tuple:
        """``(attribute code, locale, scope)``: the value this column contributes to."""
        return (self.attribute.code, self.locale, self.scope)


@dataclass(frozen=True)
class LinkColumn:
    """An association column: the association type and ``products`` or ``product_models``."""

    association_type: str
    target: str


@dataclass
class Layout:
    """What every column of a file holds, worked out once from its header."""

    #: column → field name (``identifier``, ``family``, ``parent``, ``categories``…)
    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, ValueColumn] = field(default_factory=dict)
    links: dict[str, LinkColumn] = field(default_factory=dict)
    #: column → what is lost when it is filled (reported once per file)
    ignored: dict[str, str] = field(default_factory=dict)
    #: column → why it cannot be read (refuses the rows that fill it)
    unknown: dict[str, str] = field(default_factory=dict)

    def column_of(self, field_name: str) -> str | None:
        """The column holding ``field_name``, if the file has it."""
        return next((c for c, f in self.fields.items() if f == field_name), None)


def build_layout(
    columns, structure: Structure, association_types, fields: dict, ignored: dict
) -> Layout:
    """Classify every column; ``fields`` and ``ignored`` (None: silently) are per file."""
    layout = Layout()
    for column in columns:
        if column in fields:
            layout.fields[column] = fields[column]
        elif column in ignored:
            if ignored[column]:
                layout.ignored[column] = ignored[column]
        elif not _link_column(layout, column, association_types):
            try:
                layout.values[column] = value_column(column, structure)
            except ValueError as error:
                layout.unknown[column] = str(error)
    return layout


def _link_column(layout: Layout, column: str, association_types) -> bool:
    tokens = column.split("-")
    if len(tokens) not in (2, 3) or tokens[1] not in (*LINK_TARGETS, *LINK_IGNORED):
        return False
    if tokens[0] not in association_types:
        layout.unknown[column] = f"unknown association type {tokens[0]!r}"
    elif len(tokens) == 3:
        if tokens[2] != "quantity":
            return False
        layout.ignored[column] = QUANTITIES
    elif tokens[1] in LINK_IGNORED:
        layout.ignored[column] = LINK_IGNORED[tokens[1]]
    else:
        layout.links[column] = LinkColumn(tokens[0], LINK_TARGETS[tokens[1]])
    return True


def value_column(column: str, structure: Structure) -> ValueColumn:
    """Parse ``code[-locale][-channel][-currency|-unit]``; ValueError says what is wrong."""
    code, *rest = column.split("-")
    attr = structure.attributes.get(code)
    if attr is None:
        raise ValueError(f"unknown column: there is no attribute {code!r}")
    locale = rest.pop(0) if attr.localizable and rest else None
    scope = rest.pop(0) if attr.scopable and rest else None
    if attr.localizable and locale not in structure.locales:
        raise ValueError(_mismatch(attr, f"{locale!r} is not a locale" if locale else None))
    if attr.scopable and scope not in structure.channels:
        raise ValueError(_mismatch(attr, f"{scope!r} is not a channel" if scope else None))
    part = None
    if rest and attr.type == "price":
        part = rest.pop(0)
        if part not in structure.currencies:
            raise ValueError(f"currency {part!r} is not enabled")
    elif rest == ["unit"] and attr.type == "metric":
        part, rest = "unit", []
    if rest:
        raise ValueError(_mismatch(attr, None))
    return ValueColumn(attr, locale, scope, part)


def _mismatch(attr: AttrSpec, detail: str | None) -> str:
    expected = attr.code
    expected += "-<locale>" if attr.localizable else ""
    expected += "-<channel>" if attr.scopable else ""
    expected += "[-<currency>]" if attr.type == "price" else ""
    unit = f" (and {expected}-unit)" if attr.type == "metric" else ""
    prefix = f"{detail}; " if detail else ""
    return f"{prefix}columns of attribute {attr.code} are named {expected}{unit}"
