"""Suggested mappings: guess from a sample file which column feeds which field or value.

:func:`suggest` reads the column names and the first values of a sample file and returns a
mapping document (see :mod:`pim.imports.mapping`) that the profile editor shows for the
user to correct. A column is matched, in this order:

* to the key: the identifier attribute (code or label), else an ``sku``/``reference``-like
  name, else an ``ean``/``gtin``-like name that no attribute claims;
* to a field: ``family``, ``parent``, ``categories``, ``enabled`` (and their usual names
  in French and German);
* to an attribute, by code or label in any locale (spelling and case ignored), or by a few
  usual names in English, French and German ("Prix", "Colour", "Poids"…). Trailing words
  may name a locale ("Name (FR)", ``name_fr``, ``name-fr_FR``), a channel, a currency
  ("Prix EUR", "Price €") or a unit ("Weight (kg)"): they are peeled off one by one until
  the rest names an attribute.

The first values then choose transforms: ``decimal_comma`` for "12,50", ``unit`` /
``currency`` for a metric or price, ``date`` for "31/12/2024", ``option_label`` when the
cells are labels rather than option codes, ``split`` for lists, ``boolean`` for flags.
Columns that match nothing go to ``ignore``; so does a second column for a value already
mapped. Nothing here touches the database: the structure snapshot says what exists.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from pim.services.structure_cache import AttrSpec, Structure

#: Usual names of common attributes → the English word an attribute code would use.
SYNONYMS = {
    "prix": "price",
    "preis": "price",
    "precio": "price",
    "prezzo": "price",
    "colour": "color",
    "couleur": "color",
    "farbe": "color",
    "colore": "color",
    "taille": "size",
    "grosse": "size",
    "groesse": "size",
    "talla": "size",
    "poids": "weight",
    "gewicht": "weight",
    "peso": "weight",
    "nom": "name",
    "bezeichnung": "name",
    "titre": "title",
    "titel": "title",
    "beschreibung": "description",
    "marque": "brand",
    "marke": "brand",
    "matiere": "material",
    "matieres": "material",
    "composition": "material",
    "barcode": "ean",
    "gtin": "ean",
    "ean13": "ean",
}
KEY_NAMES = {
    "product": {
        "sku",
        "identifier",
        "reference",
        "ref",
        "article",
        "articlenumber",
        "articleno",
        "artnr",
        "artikelnummer",
        "itemnumber",
        "itemno",
        "productid",
        "productcode",
        "code",
    },
    "product_model": {"code", "model", "modelcode", "style", "stylenumber", "stylecode"},
}
BARCODE_NAMES = {"ean", "ean13", "gtin", "upc", "barcode"}
FIELD_NAMES = {
    "product": {
        "family": {"family", "famille", "familie", "productfamily"},
        "parent": {"parent", "model", "parentmodel", "productmodel", "modele"},
        "categories": {"categories", "category", "categorie", "kategorie", "kategorien"},
        "enabled": {"enabled", "active", "actif", "aktiv", "online"},
    },
    "product_model": {
        "family_variant": {"familyvariant", "variant"},
        "parent": {"parent", "parentmodel", "parentcode"},
        "categories": {"categories", "category", "categorie", "kategorie", "kategorien"},
    },
}
LANGUAGE_NAMES = {
    "english": "en",
    "anglais": "en",
    "englisch": "en",
    "french": "fr",
    "francais": "fr",
    "franzosisch": "fr",
    "german": "de",
    "allemand": "de",
    "deutsch": "de",
    "italian": "it",
    "italien": "it",
    "spanish": "es",
    "espagnol": "es",
}
UNIT_WORDS = {
    "mg": "MILLIGRAM",
    "g": "GRAM",
    "gr": "GRAM",
    "gram": "GRAM",
    "grams": "GRAM",
    "gramm": "GRAM",
    "kg": "KILOGRAM",
    "kgs": "KILOGRAM",
    "kilo": "KILOGRAM",
    "kilogram": "KILOGRAM",
    "kilograms": "KILOGRAM",
    "lb": "POUND",
    "lbs": "POUND",
    "pound": "POUND",
    "oz": "OUNCE",
    "ounce": "OUNCE",
    "mm": "MILLIMETER",
    "cm": "CENTIMETER",
    "m": "METER",
    "meter": "METER",
    "metre": "METER",
    "in": "INCH",
    "inch": "INCH",
    "ft": "FOOT",
    "ml": "MILLILITER",
    "l": "LITER",
    "liter": "LITER",
    "litre": "LITER",
}
CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY"}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%m/%d/%Y", "%d-%m-%Y", "%Y/%m/%d")
LIST_SEPARATORS = ("|", ";", ",")
DEFAULT_OPTIONS = {"create": True, "mode": "skip", "missing": "ignore"}

_DECIMAL_COMMA = re.compile(r"^-?\d{1,3}(?:[.\s\u00a0\u202f]\d{3})*,\d+$|^-?\d+,\d+$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def words(name: str) -> list[str]:
    """The lower-case words of a column name, accents dropped (``"Prix €"`` → prix, eur)."""
    for symbol, code in CURRENCY_SYMBOLS.items():
        name = name.replace(symbol, f" {code} ")
    name = unicodedata.normalize("NFKD", _CAMEL.sub(" ", name))
    name = "".join(c for c in name if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", name.lower())


def compact(parts: list[str]) -> str:
    """Words glued together, the form every name is compared in."""
    return "".join(parts)


@dataclass
class Hints:
    """What the words peeled off a column name say about the value."""

    locale: str | None = None
    scope: str | None = None
    currency: str | None = None
    unit: str | None = None


@dataclass
class Match:
    """A column matched to an attribute, with the hints of its name."""

    attribute: AttrSpec
    hints: Hints


class Suggester:
    """Matches column names against one catalogue structure (see the module docstring)."""

    def __init__(self, structure: Structure, entity: str = "product"):
        self.structure = structure
        self.entity = entity
        self.index = self._name_index()
        self.locales = {code.lower(): code for code in structure.locales}
        active = structure.active_locales or frozenset(structure.locales)
        self.active = sorted(active)
        self.channels = {code.lower(): code for code in structure.channels}

    def _name_index(self) -> dict[str, tuple[str, str | None]]:
        """Compact name → (attribute code, locale of the label or None)."""
        index: dict[str, tuple[str, str | None]] = {}
        for code in self.structure.attributes:
            index.setdefault(compact(words(code)), (code, None))
        for code, attr in self.structure.attributes.items():
            for locale, label in sorted((attr.labels or {}).items()):
                name = compact(words(label or ""))
                if name and index.get(name, (code, None)) == (code, None):
                    index[name] = (code, locale)  # "Name" is the en_US label of name
        return index

    # --- names -----------------------------------------------------------------------

    def attribute(self, column: str) -> Match | None:
        """The attribute a column name designates, peeling hint words off its end."""
        parts, hints = words(column), Hints()
        while parts:
            if found := self._lookup(parts):
                code, label_locale = found
                hints.locale = hints.locale or label_locale
                return Match(self.structure.attributes[code], hints)
            if len(parts) == 1 or not self._peel(parts, hints):
                return None
        return None

    def _lookup(self, parts: list[str]) -> tuple[str, str | None] | None:
        direct = self.index.get(compact(parts))
        if direct:
            return direct
        return self.index.get(compact([SYNONYMS.get(p, p) for p in parts]))

    def _peel(self, parts: list[str], hints: Hints) -> bool:
        """Take a hint off the end of ``parts`` (in place); False when the word is none."""
        if len(parts) > 2 and not hints.locale:
            locale = self.locales.get(f"{parts[-2]}_{parts[-1]}")
            if locale:
                hints.locale = locale
                del parts[-2:]
                return True
        word = parts.pop()
        if word.upper() in self.structure.currencies and not hints.currency:
            hints.currency = word.upper()
        elif word in self.channels and not hints.scope:
            hints.scope = self.channels[word]
        elif word in UNIT_WORDS and not hints.unit:
            hints.unit = UNIT_WORDS[word]
        elif (locale := self._language(word)) and not hints.locale:
            hints.locale = locale
        else:
            return False
        return True

    def _language(self, word: str) -> str | None:
        """The locale of a language code or name (``fr``, ``french`` → fr_FR)."""
        language = LANGUAGE_NAMES.get(word, word)
        if len(language) != 2:
            return None
        found = [code for code in self.active if code.lower().startswith(f"{language}_")]
        preferred = f"{language}_{language.upper()}"
        return preferred if preferred in found else (found[0] if found else None)

    def key_rank(self, column: str) -> int | None:
        """How well a column fits the key (0 best), None when it does not."""
        name = compact(words(column))
        match = self.attribute(column)
        if match and match.attribute.type == "identifier" and self.entity == "product":
            return 0
        if name in KEY_NAMES[self.entity]:
            return 1
        if name in BARCODE_NAMES and self.entity == "product" and match is None:
            return 2
        return None

    def field(self, column: str) -> str | None:
        """The field a column names (family, parent, categories…), or None."""
        name = compact(words(column))
        return next((f for f, names in FIELD_NAMES[self.entity].items() if name in names), None)

    # --- defaults --------------------------------------------------------------------

    def default_locale(self) -> str | None:
        """The first locale of the first channel: where an unmarked text most likely goes."""
        for code in sorted(self.structure.channels):
            if self.structure.channels[code].locales:
                return self.structure.channels[code].locales[0]
        return self.active[0] if self.active else None

    def default_scope(self) -> str | None:
        """The first channel by code: where an unmarked scopable value most likely goes."""
        return min(self.structure.channels, default=None)


def suggest(
    columns: list[str], sample_rows: list, structure: Structure, *, entity: str = "product"
) -> dict:
    """A mapping document for a file with ``columns``, guessed from names and first values.

    ``sample_rows`` are :class:`pim.imports.readers.Row` objects (or plain dicts of cells).
    Every suggestion is only a starting point: the editor shows each one for review.
    """
    suggester = Suggester(structure, entity)
    samples = {c: _samples(sample_rows, c) for c in columns}
    key = _key_column(suggester, columns)
    mapping: dict = {"fields": {}, "values": [], "ignore": [], "auto": False}
    if key is not None:
        mapping["key"] = {"column": key}
    taken: set = set()
    consumed = _unit_columns(columns)
    for column in columns:
        if column == key or column in consumed:
            continue
        if not _place(suggester, column, samples[column], columns, mapping, taken):
            mapping["ignore"].append(column)
    mapping["options"] = dict(DEFAULT_OPTIONS)
    return mapping


def _place(suggester, column, values, columns, mapping, taken) -> bool:
    """Add the rule for one column to ``mapping``; False when nothing fits."""
    field = suggester.field(column)
    if field and field not in mapping["fields"]:
        mapping["fields"][field] = _field_rule(field, column, values)
        return True
    match = suggester.attribute(column)
    if match is None or match.attribute.type == "identifier":
        return False
    rule = _value_rule(suggester, match, column, values, columns)
    target = (rule["attribute"], rule.get("locale"), rule.get("scope"), match.hints.currency)
    if target in taken:
        return False
    taken.add(target)
    mapping["values"].append(rule)
    return True


def _key_column(suggester: Suggester, columns: list[str]) -> str | None:
    ranks = ((suggester.key_rank(c), i, c) for i, c in enumerate(columns))
    ranked = [entry for entry in ranks if entry[0] is not None]
    return min(ranked)[2] if ranked else None


def _unit_columns(columns: list[str]) -> set[str]:
    """Akeneo's ``weight-unit`` columns, consumed by the ``weight`` rule."""
    return {c for c in columns if c.endswith("-unit") and c[: -len("-unit")] in columns}


def _samples(rows, column: str) -> list[str]:
    """The non-empty text values of a column in the sample rows."""
    values = []
    for row in rows:
        cells = row.cells if hasattr(row, "cells") else row
        value = cells.get(column)
        if isinstance(value, str) and value.strip():
            values.append(value)
    return values


def _field_rule(field: str, column: str, values: list[str]) -> dict:
    rule: dict = {"column": column}
    if field == "categories":
        rule["transforms"] = [{"op": "split", "sep": _separator(values) or ","}]
    elif field == "enabled":
        rule["transforms"] = [{"op": "boolean"}]
    return rule


def _value_rule(suggester: Suggester, match: Match, column, values, columns) -> dict:
    attr, hints = match.attribute, match.hints
    rule: dict = {"column": column, "attribute": attr.code}
    if attr.localizable:
        rule["locale"] = hints.locale or suggester.default_locale()
    if attr.scopable:
        rule["scope"] = hints.scope or suggester.default_scope()
    unit_column = f"{column}-unit"
    if attr.type == "metric" and unit_column in columns:
        rule["columns"] = [rule.pop("column"), unit_column]
        rule["transforms"] = [{"op": "concat", "sep": " "}]
        return rule
    transforms = value_transforms(attr, hints, values)
    if transforms:
        rule["transforms"] = transforms
    return rule


def value_transforms(attr: AttrSpec, hints: Hints, values: list[str]) -> list[dict]:
    """Transforms suggested for ``attr`` from the hints of the name and the first values."""
    kind = attr.type
    if kind in ("text", "textarea"):
        return [{"op": "trim"}] if any(v != v.strip() for v in values) else []
    if kind in ("number", "metric", "price"):
        return _numeric_transforms(attr, hints, values)
    if kind == "date":
        fmt = _date_format(values)
        return [{"op": "date", "format": fmt}] if fmt and fmt != "%Y-%m-%d" else []
    if kind in ("simple_select", "multi_select", "asset_collection"):
        return _list_transforms(attr, values)
    if kind == "boolean":
        return [{"op": "boolean"}] if values else []
    return []


def _numeric_transforms(attr: AttrSpec, hints: Hints, values: list[str]) -> list[dict]:
    transforms = []
    comma = any(_DECIMAL_COMMA.match(v.strip()) for v in values)
    if comma:
        transforms.append({"op": "decimal_comma"})
    plain = all(_NUMBER.match(v.strip().replace(",", ".")) for v in values)
    if attr.type == "metric":
        unit = hints.unit or (attr.default_unit if plain else None)
        if unit:
            transforms.append({"op": "unit", "unit": unit})
    if attr.type == "price" and hints.currency:
        transforms.append({"op": "currency", "currency": hints.currency})
    return transforms


def _list_transforms(attr: AttrSpec, values: list[str]) -> list[dict]:
    transforms = []
    parts = values
    if attr.type != "simple_select":
        sep = _separator(values)
        if sep and sep != ",":
            transforms.append({"op": "split", "sep": sep})
        parts = [p.strip() for v in values for p in v.split(sep or ",") if p.strip()]
    options = attr.options or {}
    if options and any(p not in options for p in parts):
        transforms.append({"op": "option_label"})
    return transforms


def _separator(values: list[str]) -> str | None:
    """The list separator the values use, if any."""
    return next((sep for sep in LIST_SEPARATORS if any(sep in v for v in values)), None)


def _date_format(values: list[str]) -> str | None:
    """The first of :data:`DATE_FORMATS` that reads every value."""
    for fmt in DATE_FORMATS:
        if values and all(_parses(v.strip(), fmt) for v in values):
            return fmt
    return None


def _parses(text: str, fmt: str) -> bool:
    try:
        dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - a date, no time zone involved
    except ValueError:
        return False
    return True
