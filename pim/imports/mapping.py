"""A profile's mapping: which column (or XML path) becomes which field or value.

The mapping document::

    {
      "key": {"column": "SKU"},                   # identifier (products) or code (models)
      "fields": {                                 # optional: a fixed value or a column
        "family": {"value": "tshirts"},
        "parent": {"column": "Model"},
        "categories": {"column": "Cats", "transforms": [{"op": "split", "sep": "|"}]},
        "enabled": {"column": "Active", "transforms": [{"op": "boolean"}]},
      },
      "values": [                                 # column → attribute / locale / channel
        {"column": "Name EN", "attribute": "name", "locale": "en_US"},
        {"columns": ["Brand", "Line"], "attribute": "title",
         "transforms": [{"op": "concat", "sep": " "}]},
        {"column": "Weight", "attribute": "weight",
         "transforms": [{"op": "decimal_comma"}, {"op": "unit", "unit": "KILOGRAM"}]},
      ],
      "auto": true,        # columns named code[-locale][-channel] (Akeneo style) map themselves
      "ignore": ["Internal note"],
    }

A column the mapping does not place is refused up front (named in the error) unless it is
listed in ``ignore``: a renamed supplier column must not be silently dropped. Asset
collection values (image URLs or paths) are not written to the values: they become
pending media links for the DAM.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from pim.imports.readers import Row
from pim.imports.transforms import COMBINERS, TransformError, apply, check
from pim.services.errors import Problem
from pim.services.structure_cache import AttrSpec, Structure
from pim.values import is_empty

FIELDS = {
    "product": ("family", "parent", "categories", "enabled"),
    "product_model": ("family_variant", "parent", "categories"),
}
KEY_FIELD = {"product": "identifier", "product_model": "code"}


class MappingError(ValueError):
    """The mapping does not fit the catalogue or the file; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Target:
    """Where a rule's result goes: a field, or an attribute value (locale, scope)."""

    columns: tuple[str, ...]
    transforms: tuple[dict, ...] = ()
    field: str | None = None
    attribute: AttrSpec | None = None
    locale: str | None = None
    scope: str | None = None
    #: a fixed value instead of columns (fields only)
    fixed: object = None

    @property
    def label(self) -> str:
        return "+".join(self.columns)


@dataclass
class RowIssue:
    """A reason to refuse (or warn about) a row, located by column and value."""

    column: str | None
    value: str
    reason: str


@dataclass
class MappedRow:
    """One row turned into a payload for :mod:`pim.services.bulk`, plus its media links."""

    line: int
    key: str
    payload: dict
    media: list[tuple[str, str | None, str | None, str]] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    cells: dict = field(default_factory=dict)
    hash: str = ""


class Mapper:
    """Compiles a mapping against the catalogue structure and maps rows with it."""

    def __init__(self, mapping: dict, structure: Structure, entity: str = "product"):
        self.structure = structure
        self.entity = entity
        self.mapping = mapping or {}
        problems: list[str] = []
        self.key = self._key_target(problems)
        self.fields = self._field_targets(problems)
        self.values = [
            t for rule in self.mapping.get("values", []) if (t := self._rule(rule, problems))
        ]
        self.ignore = set(self.mapping.get("ignore") or [])
        if problems:
            raise MappingError(problems)
        self._by_value: dict[tuple, str] = {}

    # --- compiling -----------------------------------------------------------------------

    def _key_target(self, problems) -> Target | None:
        rule = self.mapping.get("key")
        if not isinstance(rule, dict) or not isinstance(rule.get("column"), str):
            problems.append(f"the mapping needs the column holding the {KEY_FIELD[self.entity]}")
            return None
        return self._columns_target(rule, problems, field=KEY_FIELD[self.entity])

    def _field_targets(self, problems) -> list[Target]:
        targets = []
        for name, rule in (self.mapping.get("fields") or {}).items():
            if name not in FIELDS[self.entity]:
                problems.append(f"unknown field {name!r} (use {', '.join(FIELDS[self.entity])})")
            elif isinstance(rule, dict) and "value" in rule:
                targets.append(Target(columns=(), field=name, fixed=rule["value"]))
            elif target := self._columns_target(rule, problems, field=name):
                targets.append(target)
        return targets

    def _columns_target(self, rule, problems, **where) -> Target | None:
        if not isinstance(rule, dict):
            problems.append(f"{where}: each rule must be an object")
            return None
        columns = rule.get("columns") or ([rule["column"]] if rule.get("column") else [])
        if not columns or not all(isinstance(c, str) for c in columns):
            problems.append(f"a rule for {_name(where)} needs a column")
            return None
        transforms = rule.get("transforms") or []
        for transform in transforms:
            if reason := check(transform):
                problems.append(f"{_name(where)}: {reason}")
        if len(columns) > 1 and not any(t.get("op") in COMBINERS for t in transforms):
            problems.append(f"{_name(where)}: several columns need a concat transform")
        return Target(columns=tuple(columns), transforms=tuple(transforms), **where)

    def _rule(self, rule, problems) -> Target | None:
        code = rule.get("attribute") if isinstance(rule, dict) else None
        attr = self.structure.attributes.get(code)
        if attr is None:
            problems.append(f"unknown attribute {code!r}")
            return None
        locale, scope = rule.get("locale"), rule.get("scope")
        if attr.localizable != bool(locale):
            problems.append(
                f"{code}: " + ("needs a locale" if attr.localizable else "has no locale")
            )
        elif locale and locale not in self.structure.locales:
            problems.append(f"{code}: unknown locale {locale!r}")
        if attr.scopable != bool(scope):
            problems.append(
                f"{code}: " + ("needs a channel" if attr.scopable else "has no channel")
            )
        elif scope and scope not in self.structure.channels:
            problems.append(f"{code}: unknown channel {scope!r}")
        if attr.type == "identifier":
            problems.append(f"{code}: the identifier comes from the key column")
        return self._columns_target(rule, problems, attribute=attr, locale=locale, scope=scope)

    # --- binding to a file's columns -----------------------------------------------------

    def bind(self, columns: list[str], require_all: bool = True) -> None:
        """Check the file's columns against the mapping; add automatic rules.

        Raises :class:`MappingError` naming missing and unplaced columns (missing ones only
        with ``require_all``: XML elements may be absent from the first records).
        """
        used = {c for t in [self.key, *self.fields, *self.values] for c in t.columns}
        missing = sorted(used - set(columns))
        auto = {}
        if self.mapping.get("auto"):
            auto = {c: t for c in columns if c not in used and (t := self._auto(c, columns))}
        # a metric's unit column is read together with its amount column
        consumed = {c for target in auto.values() for c in target.columns[1:]}
        placed = used | set(auto) | consumed | self.ignore
        # an XML element that only holds mapped children or attributes is placed too
        parents = {p.rsplit("/", n)[0] for p in placed for n in range(1, p.count("/") + 1)}
        unplaced = [c for c in columns if c not in placed and c not in parents]
        problems = []
        if missing and require_all:
            problems.append(f"columns missing from the file: {', '.join(missing)}")
        if unplaced:
            problems.append(
                f"unknown columns (map them to attributes or list them in ignore): "
                f"{', '.join(unplaced)}"
            )
        if problems:
            raise MappingError(problems)
        self.fields += [t for t in auto.values() if t.field]
        self.values += [t for t in auto.values() if t.attribute]
        self._by_value = {(t.attribute.code, t.locale, t.scope): t.label for t in self.values}

    def _auto(self, column: str, columns: list[str]) -> Target | None:
        """The target of an Akeneo-style column ``code[-locale][-channel]`` (a field such as
        ``family``, or a value), None when the column names nothing."""
        code, *tokens = column.split("-")
        if code in FIELDS[self.entity] and not tokens:
            return Target(columns=(column,), field=code, transforms=_field_transforms(code))
        attr = self.structure.attributes.get(code)
        if attr is None or attr.type == "identifier":
            return None
        locale = tokens.pop(0) if attr.localizable and tokens else None
        scope = tokens.pop(0) if attr.scopable and tokens else None
        currency = tokens.pop(0) if attr.type == "price" and tokens else None
        if tokens or (attr.localizable and locale not in self.structure.locales):
            return None
        if attr.scopable and scope not in self.structure.channels:
            return None
        transforms = [{"op": "currency", "currency": currency}] if currency else []
        columns_ = (column,)
        if attr.type == "metric" and f"{column}-unit" in columns:
            columns_ = (column, f"{column}-unit")
            transforms = [{"op": "concat", "sep": " "}]
        return Target(
            columns=columns_,
            transforms=tuple(transforms),
            attribute=attr,
            locale=locale,
            scope=scope,
        )

    def column_of(self, problem: Problem) -> str | None:
        """The column a value problem came from (for the report)."""
        if problem.attribute:
            return self._by_value.get((problem.attribute, problem.locale, problem.scope))
        if problem.field == "values":
            return None
        if problem.field == KEY_FIELD[self.entity] and self.key:
            return self.key.label
        return next((t.label for t in self.fields if t.field == problem.field), problem.field)

    # --- mapping rows ----------------------------------------------------------------------

    def key_of(self, row: Row) -> str:
        """The row's identifier (or model code) after the key's transforms; '' if none."""
        key = self._cell(row, self.key, [])
        return key.strip() if isinstance(key, str) else ""

    def map_row(self, row: Row) -> MappedRow:
        """Turn one row into a payload; problems end up in ``issues`` (row refused)."""
        issues = [RowIssue(p.column, p.value, p.reason) for p in row.problems]
        mapped = MappedRow(line=row.line, key=self.key_of(row), payload={}, cells=row.cells)
        if not mapped.key:
            issues.append(RowIssue(self.key.label, "", f"the {KEY_FIELD[self.entity]} is empty"))
        mapped.payload[KEY_FIELD[self.entity]] = mapped.key
        for target in self.fields:
            data = target.fixed if not target.columns else self._cell(row, target, issues)
            if not is_empty(data):
                mapped.payload[target.field] = data
        values: dict = {}
        cells = row.cells
        for target in self.values:
            if len(target.columns) == 1 and not target.transforms:
                value = cells.get(target.columns[0], "")  # the common case, kept fast
            else:
                value = self._cell(row, target, issues)
            if value is not None and value != "":
                self._value(target, value, values, mapped, issues)
        if values:
            mapped.payload["values"] = values
        mapped.issues = issues
        return mapped

    def _cell(self, row: Row, target: Target, issues: list[RowIssue]):
        raw = [row.cells.get(c, "") for c in target.columns]
        value = raw[0] if len(raw) == 1 else _concat(raw, target.transforms)
        try:
            return apply(list(target.transforms), value, target.attribute)
        except TransformError as error:
            issues.append(RowIssue(target.label, _show(value), str(error)))
            return None

    def _value(self, target: Target, value, values: dict, mapped: MappedRow, issues) -> None:
        attr = target.attribute
        if attr.type in _AS_IS and isinstance(value, str) and attr.code not in values:
            values[attr.code] = [{"locale": target.locale, "scope": target.scope, "data": value}]
            return
        try:
            data = to_data(attr, value)
        except TransformError as error:
            issues.append(RowIssue(target.label, _show(value), str(error)))
            return
        if attr.type == "asset_collection":
            mapped.media += [(attr.code, target.locale, target.scope, ref) for ref in data]
            return
        entries = values.setdefault(attr.code, [])
        same = None
        if entries:
            same = next(
                (e for e in entries if (e["locale"], e["scope"]) == (target.locale, target.scope)),
                None,
            )
        if same is not None and attr.type == "price":
            same["data"] = same["data"] + data  # one column per currency
        elif same is not None:
            issues.append(RowIssue(target.label, _show(value), "this value is mapped twice"))
        else:
            entries.append({"locale": target.locale, "scope": target.scope, "data": data})


#: types whose cell text is the datum (validated later by pim.values)
_AS_IS = {"text", "textarea", "simple_select", "number", "date"}


def _name(where: dict) -> str:
    if where.get("attribute") is not None:
        return where["attribute"].code
    return str(where.get("field"))


def _field_transforms(name: str) -> tuple[dict, ...]:
    if name == "categories":
        return ({"op": "split", "sep": ","},)
    if name == "enabled":
        return ({"op": "boolean"},)
    return ({"op": "trim"},)


def _concat(raw: list, transforms) -> str:
    spec = next((t for t in transforms if t.get("op") in COMBINERS), {})
    sep = spec.get("sep", " ")
    return sep.join(str(v).strip() for v in raw if str(v).strip())


def _show(value) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 200 else text[:200] + "…"


def to_data(attr: AttrSpec, value):
    """A transformed cell → the standard-format data of ``attr`` (validated later)."""
    kind = attr.type
    if kind in ("multi_select", "asset_collection"):
        return (
            value if isinstance(value, list) else [p.strip() for p in value.split(",") if p.strip()]
        )
    if isinstance(value, list):
        if kind == "price" and all(isinstance(v, dict) for v in value):
            return value
        raise TransformError(_("%(code)s takes one value, not a list", code=attr.code))
    if kind == "metric" and isinstance(value, str):
        return _metric(value)
    if kind == "price" and isinstance(value, str):
        return _prices(value)
    if kind == "boolean" and isinstance(value, str):
        return apply([{"op": "boolean"}], value, attr)
    return value


def _metric(text: str) -> dict:
    parts = text.split()
    if len(parts) != 2:
        raise TransformError(
            _("%(text)r: write an amount and a unit such as '500 GRAM'", text=text)
        )
    return {"amount": parts[0], "unit": parts[1].upper()}


def _prices(text: str) -> list[dict]:
    prices = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        pieces = part.split()
        if len(pieces) != 2:
            raise TransformError(_("%(part)r: write prices as '10.00 EUR, 14.00 USD'", part=part))
        prices.append({"amount": pieces[0], "currency": pieces[1].upper()})
    return prices
