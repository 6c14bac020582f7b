"""The profile editor's form: one row per mapping rule or column, to and from a profile
document (see :mod:`pim.web.import_profiles` for the views and the input names)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pim.imports import suggest
from pim.imports.mapping import FIELDS
from pim.services.errors import Problem
from pim.services.structure_cache import Structure
from pim.units import UNIT_FAMILIES

KEY = "@key"
SOURCE_KINDS = ("erp", "plm", "migration", "supplier")
ENTITIES = {"product": _l("Products"), "product_model": _l("Product models")}
FORMATS = {"": _l("Detect"), "csv": "CSV", "xlsx": _l("Excel (XLSX)"), "xml": "XML"}
DELIMITERS = {
    "": _l("Detect"),
    ",": _l("Comma"),
    ";": _l("Semicolon"),
    "tab": _l("Tab"),
    "|": _l("Pipe"),
}
UNITS = [unit for units in UNIT_FAMILIES.values() for unit in units]
SAMPLE_ROWS = 20
MAX_ROWS = 1000
#: Reader options the header inputs edit; others (limits…) are kept as they were.
READER_INPUTS = ("format", "encoding", "delimiter", "record_tag", "sheet")
SAMPLE_NAME = re.compile(r"^[0-9a-f]{16}-[A-Za-z0-9._-]{1,120}$")

#: Transforms the row inputs express, in the order they apply, with their parameters.
FORM_TRANSFORMS = {
    "concat": {"sep"},
    "trim": set(),
    "split": {"sep"},
    "map": {"values"},
    "option_label": set(),
    "decimal_comma": set(),
    "date": {"format"},
    "unit": {"unit"},
    "currency": {"currency"},
    "boolean": set(),
}
FLAGS = ("trim", "option_label", "decimal_comma", "boolean")
#: Fields the editor offers a fixed value for.
FIXED_INPUTS = ("family", "family_variant")
#: How the closed row names its transforms: the words of the inputs' ``data-summary``
#: attributes, which ``imports.js`` uses (parameters follow the word, after a space).
SUMMARY_WORDS = {
    "trim": _l("trim"),
    "option_label": _l("option labels"),
    "decimal_comma": _l("decimal comma"),
    "boolean": _l("yes/no"),
    "concat": _l("join with"),
    "split": _l("split"),
    "map": _l("value map"),
    "date": _l("date"),
    "unit": _l("unit"),
    "currency": _l("currency"),
}
PARAMETER = {"split": "sep", "date": "format", "unit": "unit", "currency": "currency"}


# --- one row of the editor -----------------------------------------------------------------


@dataclass
class EditorRow:
    """One rule (or unmapped column) as the editor shows it; strings as typed."""

    column: str
    target: str = ""
    locale: str = ""
    scope: str = ""
    concat: str = ""
    concat_sep: str = " "
    trim: bool = False
    split: str = ""
    map: str = ""
    option_label: bool = False
    decimal_comma: bool = False
    date: str = ""
    unit: str = ""
    currency: str = ""
    boolean: bool = False
    #: transforms the inputs cannot express, as JSON text (None: the inputs are used)
    transforms: str | None = None
    others: tuple[str, ...] = ()
    samples: tuple[str, ...] = ()

    @classmethod
    def from_rule(cls, rule: dict, target: str) -> EditorRow:
        """The row showing a rule of a mapping document."""
        columns = rule.get("columns") or [rule.get("column", "")]
        row = cls(column=columns[0], target=target)
        row.locale, row.scope = rule.get("locale") or "", rule.get("scope") or ""
        transforms = rule.get("transforms") or []
        parts = _form_parts(transforms, columns)
        if parts is None:
            row.transforms = json.dumps(transforms, ensure_ascii=False)
            row.others = tuple(columns[1:])
        else:
            row._fill(parts, columns)
        return row

    def _fill(self, parts: dict, columns: list[str]) -> None:
        for flag in FLAGS:
            setattr(self, flag, flag in parts)
        if "concat" in parts:
            self.concat, self.concat_sep = columns[1], parts["concat"].get("sep", " ")
        if "split" in parts:
            self.split = parts["split"].get("sep") or ","
        if "map" in parts:
            self.map = "\n".join(f"{k} = {v}" for k, v in parts["map"]["values"].items())
        if "date" in parts:
            self.date = parts["date"].get("format") or "%Y-%m-%d"
        self.unit = parts.get("unit", {}).get("unit", "")
        self.currency = parts.get("currency", {}).get("currency", "")

    @classmethod
    def from_form(cls, form, index: int) -> EditorRow | None:
        """The row ``index`` as submitted (None when the form has no such row)."""
        prefix = f"c{index}-"
        column = form.get(prefix + "column", "")
        if not column:
            return None
        row = cls(column=column)
        for item in fields(cls):
            name = prefix + item.name
            if item.name in FLAGS:
                setattr(row, item.name, form.get(name) == "1")
            elif item.name == "others":
                row.others = tuple(c for c in form.getlist(name) if c)
            elif item.name == "transforms":
                row.transforms = form.get(name)
            elif item.name not in ("column", "samples"):
                setattr(row, item.name, form.get(name, getattr(row, item.name)))
        return row

    @property
    def columns(self) -> list[str]:
        """Every column the rule reads, this row's first."""
        extra = self.others if self.transforms is not None else (self.concat,)
        return [self.column, *(c for c in extra if c)]

    def rule(self, structure: Structure, problems: list[Problem]) -> dict:
        """The mapping rule of this row (its target decides where the rule goes)."""
        columns = self.columns
        rule: dict = {"column": columns[0]} if len(columns) == 1 else {"columns": columns}
        if not self.target.startswith("@"):
            rule["attribute"] = self.target
            attr = structure.attributes.get(self.target)
            if self.locale and (attr is None or attr.localizable):
                rule["locale"] = self.locale
            if self.scope and (attr is None or attr.scopable):
                rule["scope"] = self.scope
        transforms = self.transform_list(problems)
        if transforms:
            rule["transforms"] = transforms
        return rule

    def transform_list(self, problems: list[Problem]) -> list[dict]:
        """The transforms the inputs describe, in :data:`FORM_TRANSFORMS` order."""
        if self.transforms is not None:
            return _json_transforms(self.column, self.transforms, problems)
        found: list[dict] = []
        if self.concat:
            found.append({"op": "concat", "sep": self.concat_sep or " "})
        found += [{"op": "trim"}] if self.trim else []
        found += [{"op": "split", "sep": self.split}] if self.split else []
        if self.map.strip():
            found.append({"op": "map", "values": _value_map(self.column, self.map, problems)})
        found += [{"op": flag} for flag in ("option_label", "decimal_comma") if getattr(self, flag)]
        found += [{"op": "date", "format": self.date.strip()}] if self.date.strip() else []
        found += [{"op": "unit", "unit": self.unit}] if self.unit else []
        found += [{"op": "currency", "currency": self.currency}] if self.currency else []
        found += [{"op": "boolean"}] if self.boolean else []
        return found

    @property
    def transform_summary(self) -> str:
        """The transforms in a few words, for the closed editor row."""
        words = []
        for transform in self.transform_list([]):
            op = transform["op"]
            word = str(SUMMARY_WORDS.get(op, op))
            if op == "concat":
                words.append(f"{word} {self.concat}")
            elif op in PARAMETER:
                words.append(f"{word} {transform.get(PARAMETER[op], '')}".strip())
            else:
                words.append(word)
        return ", ".join(words) or _("none")


def _form_parts(transforms: list, columns: list[str]) -> dict | None:
    """op → parameters when the row inputs can show ``transforms`` exactly, else None."""
    order = list(FORM_TRANSFORMS)
    parts: dict = {}
    for transform in transforms:
        op = transform.get("op") if isinstance(transform, dict) else None
        if op not in FORM_TRANSFORMS or op in parts:
            return None
        if parts and order.index(op) < order.index(list(parts)[-1]):
            return None
        params = {k: v for k, v in transform.items() if k != "op"}
        if set(params) - FORM_TRANSFORMS[op]:
            return None
        parts[op] = params
    if len(columns) > 2 or ("concat" in parts) != (len(columns) == 2):
        return None
    values = parts.get("map", {}).get("values", {})
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        return None
    return parts


def _value_map(column: str, text: str, problems: list[Problem]) -> dict:
    """``supplier value = our code`` lines → the map transform's values."""
    values = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        theirs, sep, ours = line.partition("=")
        if not sep:
            message = _(
                "%(column)s: write each value map line as 'supplier value = our code'",
                column=column,
            )
            problems.append(Problem(message, field="mapping"))
            continue
        values[theirs.strip()] = ours.strip()
    return values


def _json_transforms(column: str, text: str, problems: list[Problem]) -> list[dict]:
    try:
        transforms = json.loads(text or "[]")
    except ValueError:
        transforms = None
    if not isinstance(transforms, list):
        message = _(
            '%(column)s: the transforms must be a JSON list such as [{"op": "trim"}]',
            column=column,
        )
        problems.append(Problem(message, field="mapping"))
        return []
    return transforms


# --- the whole editor ---------------------------------------------------------------------


@dataclass
class Editor:
    """Everything the profile form shows; built from a document or from the submitted form."""

    code: str = ""
    label: str = ""
    source_kind: str = "supplier"
    supplier_name: str = ""
    entity: str = "product"
    reader: dict = field(default_factory=dict)
    rows: list[EditorRow] = field(default_factory=list)
    fixed: dict = field(default_factory=dict)
    options: dict = field(default_factory=lambda: dict(suggest.DEFAULT_OPTIONS))
    auto: bool = False
    members: list[str] = field(default_factory=list)
    sample: str = ""
    sample_name: str = ""
    columns: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        """The profile's source: erp, plm, migration or supplier:NAME."""
        if self.source_kind == "supplier":
            return f"supplier:{self.supplier_name.strip()}"
        return self.source_kind

    @classmethod
    def from_document(cls, document: dict, columns=(), rows=()) -> Editor:
        """The editor of a profile document, with rows for the sample's unmapped columns."""
        kind, _, name = (document.get("source") or "supplier:").partition(":")
        mapping = document.get("mapping") or {}
        editor = cls(
            code=document.get("code", ""),
            label=document.get("label", ""),
            source_kind=kind,
            supplier_name=name,
            entity=document.get("entity", "product"),
            reader=dict(document.get("reader") or {}),
            fixed={n: r["value"] for n, r in _fields(mapping) if "value" in r},
            options={**suggest.DEFAULT_OPTIONS, **(mapping.get("options") or {})},
            auto=bool(mapping.get("auto")),
            members=list(document.get("members") or []),
        )
        editor.rows = rows_of(mapping, list(columns))
        editor.columns = _all_columns(list(columns), editor.rows)
        editor.add_samples(rows)
        return editor

    @classmethod
    def from_form(cls, form, code: str | None = None) -> Editor:
        """The editor as submitted (``code`` fixed by the URL when editing)."""
        count = min(form.get("rows", 0, type=int), MAX_ROWS)
        rows = [row for i in range(count) if (row := EditorRow.from_form(form, i))]
        reader = {name: form.get(name, "").strip() for name in READER_INPUTS}
        return cls(
            code=code if code is not None else form.get("code", "").strip(),
            label=form.get("label", "").strip(),
            source_kind=form.get("source_kind", ""),
            supplier_name=form.get("supplier_name", ""),
            entity=form.get("entity", "product"),
            reader={k: v for k, v in reader.items() if v},
            rows=rows,
            fixed=_fixed_from_form(form),
            options={
                "create": form.get("create") != "update_only",
                "mode": form.get("mode", "skip"),
                "missing": form.get("missing", "ignore"),
            },
            auto=form.get("auto") == "1",
            members=form.getlist("members"),
            sample=form.get("sample", ""),
            sample_name=form.get("sample_name", ""),
            columns=list(dict.fromkeys(form.getlist("columns"))),
        )

    def document(self, structure: Structure, kept_reader: dict, problems: list[Problem]) -> dict:
        """The profile document to save (reader options the form does not show kept)."""
        reader = {k: v for k, v in kept_reader.items() if k not in READER_INPUTS}
        reader.update(self.reader)
        if reader.get("delimiter") == "tab":
            reader["delimiter"] = "\t"
        return {
            "code": self.code,
            "label": self.label,
            "source": self.source,
            "entity": self.entity,
            "reader": reader,
            "mapping": self.mapping(structure, problems),
            "members": self.members,
        }

    def mapping(self, structure: Structure, problems: list[Problem]) -> dict:
        """The mapping document of the rows, fixed values and options."""
        mapping: dict = {"fields": {}, "values": []}
        for row in self.rows:
            if not row.target:
                continue
            rule = row.rule(structure, problems)
            if row.target == KEY:
                if "key" in mapping:
                    message = _("%(column)s: only one column can hold the key", column=row.column)
                    problems.append(Problem(message, field="mapping"))
                mapping.setdefault("key", rule)
            elif row.target.startswith("@"):
                mapping["fields"][row.target[1:]] = rule
            else:
                mapping["values"].append(rule)
        for name, value in self.fixed.items():
            if name in FIELDS.get(self.entity, ()):
                mapping["fields"].setdefault(name, {"value": value})
        used = {c for row in self.rows if row.target for c in row.columns}
        ignored = [row.column for row in self.rows if not row.target and row.column not in used]
        mapping["ignore"] = list(dict.fromkeys(ignored))
        mapping["auto"] = self.auto
        mapping["options"] = dict(self.options)
        return mapping

    def add_samples(self, rows) -> None:
        """Show the first values of the sample next to each row."""
        for row in self.rows:
            values = (_text(r.cells.get(row.column)) for r in rows)
            row.samples = tuple(v for v in values if v)[:3]

    @property
    def other_fixed(self) -> dict:
        """Fixed values without an input (set through the CLI), carried by a hidden input."""
        return {n: v for n, v in self.fixed.items() if n not in FIXED_INPUTS}

    @property
    def delimiter(self) -> str:
        """The delimiter select's value (a tab is shown as ``tab``)."""
        return "tab" if self.reader.get("delimiter") == "\t" else self.reader.get("delimiter", "")


def _fixed_from_form(form) -> dict:
    try:
        fixed = json.loads(form.get("fixed_other") or "{}")
    except ValueError:
        fixed = {}
    fixed = fixed if isinstance(fixed, dict) else {}
    fixed.update({n: form[f"fixed_{n}"] for n in FIXED_INPUTS if form.get(f"fixed_{n}")})
    return fixed


def _fields(mapping: dict):
    return [(n, r) for n, r in (mapping.get("fields") or {}).items() if isinstance(r, dict)]


def rows_of(mapping: dict, columns: list[str]) -> list[EditorRow]:
    """Rows for the key, the field and value rules, then every other column (ignored)."""
    rows = []
    if isinstance(mapping.get("key"), dict):
        rows.append(EditorRow.from_rule(mapping["key"], KEY))
    rows += [EditorRow.from_rule(r, f"@{n}") for n, r in _fields(mapping) if "value" not in r]
    for rule in mapping.get("values") or []:
        if isinstance(rule, dict):
            rows.append(EditorRow.from_rule(rule, rule.get("attribute") or ""))
    used = {c for row in rows for c in row.columns}
    for column in [*columns, *(mapping.get("ignore") or [])]:
        if column not in used:
            used.add(column)
            rows.append(EditorRow(column=column))
    position = {c: i for i, c in enumerate(columns)}
    return sorted(rows, key=lambda row: position.get(row.column, len(position)))


def _all_columns(columns: list[str], rows: list[EditorRow]) -> list[str]:
    extra = [c for row in rows for c in row.columns]
    return list(dict.fromkeys([*columns, *extra]))


def _text(value) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    return (value or "").strip()
