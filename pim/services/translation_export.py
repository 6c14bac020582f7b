"""Export translation files: catalogue values → XLIFF 1.2/2.0 or a CSV/XLSX sheet.

One :class:`~pim.translations.units.TranslationUnit` per item × translatable attribute ×
scope whose source-locale value has text. Items are products and product models; a value
held by a model is exported once, on the model (the model of a selected variant is
exported with it). One file per target locale; several are zipped together.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from pim.models import Product, ProductModel
from pim.search import service as search
from pim.search.query import SearchSyntaxError
from pim.services import translation_status
from pim.services.common import allowed_attributes
from pim.services.errors import DomainError
from pim.services.inheritance import ancestors, effective_values
from pim.services.structure_cache import Structure
from pim.translations.sheet import write_sheet
from pim.translations.units import TranslationFile, TranslationUnit
from pim.translations.xliff import write_xliff
from pim.values import DEFAULT_TEXT_LENGTH, DEFAULT_TEXTAREA_LENGTH, is_empty, value_key

#: format → (file extension, mimetype)
FORMATS = {
    "xliff12": ("xlf", "application/x-xliff+xml"),
    "xliff20": ("xlf", "application/x-xliff+xml"),
    "csv": ("csv", "text/csv"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
ZIP_MIMETYPE = "application/zip"
SEARCH_PAGE = 500


class ExchangeError(DomainError):
    """An export (or import) request that cannot be served; the message says why."""


@dataclass
class ExportSelection:
    """What to export: items, attributes, locales."""

    target_locales: list[str]
    #: product identifiers and/or model codes; empty with no query = everything
    identifiers: list[str] = field(default_factory=list)
    #: a product grid search query (pim.search syntax)
    query: str | None = None
    #: empty = every translatable attribute of the items' families
    attributes: list[str] = field(default_factory=list)
    source_locale: str | None = None  # default: translation_status.source_locale()
    only_pending: bool = False  # only units missing or outdated in the target locale
    scope: str | None = None  # channel code for scopable attributes; None = every scope


@dataclass
class ExportResult:
    """The file to download."""

    filename: str
    mimetype: str
    data: bytes
    units: int  # trans-units written, all files
    items: int


def export_translations(
    session, selection: ExportSelection, file_format: str = "xliff12"
) -> ExportResult:
    """The translation file(s) of ``selection``; :class:`ExchangeError` for a bad request."""
    structure = Structure.current(session)
    source = selection.source_locale or translation_status.source_locale()
    _check_request(structure, selection, source, file_format)
    items = select_items(session, selection)
    if not items:
        raise ExchangeError(_("No product or product model matches the selection."))
    codes = _attribute_filter(structure, selection.attributes)
    files, units, keys = [], 0, set()
    for target in dict.fromkeys(selection.target_locales):
        built = [
            unit
            for item in items
            for unit in item_units(structure, item, source, target, codes, selection)
        ]
        keys.update((unit.item_kind, unit.item_key) for unit in built)
        name = f"vitrine-translations-{source}-{target}.{FORMATS[file_format][0]}"
        data = _write(TranslationFile(source, target, units=built), file_format)
        files.append((name, data))
        units += len(built)
    if not units:
        raise ExchangeError(_("Nothing to translate: the selection has no source text to export."))
    if len(files) == 1:
        name, data = files[0]
        return ExportResult(name, FORMATS[file_format][1], data, units, len(keys))
    return ExportResult(
        f"vitrine-translations-{source}.zip", ZIP_MIMETYPE, _zip(files), units, len(keys)
    )


def _check_request(structure, selection: ExportSelection, source: str, file_format: str):
    if file_format not in FORMATS:
        raise ExchangeError(
            _(
                "Unknown file format %(format)s: use one of %(formats)s.",
                format=file_format,
                formats=", ".join(FORMATS),
            )
        )
    if not selection.target_locales:
        raise ExchangeError(_("Choose at least one target locale."))
    if source not in structure.active_locales:
        raise ExchangeError(
            _("The locale %(locale)s is not activated in any channel.", locale=source)
        )
    for locale in selection.target_locales:
        if locale not in structure.active_locales:
            raise ExchangeError(
                _("The locale %(locale)s is not activated in any channel.", locale=locale)
            )
        if locale == source:
            raise ExchangeError(
                _("The target locale %(locale)s is the source locale.", locale=locale)
            )
    if selection.scope is not None and selection.scope not in structure.channels:
        raise ExchangeError(_("Unknown channel %(channel)s.", channel=selection.scope))


def _attribute_filter(structure, codes: list[str]) -> set[str] | None:
    for code in codes:
        attr = structure.attributes.get(code)
        if attr is None:
            raise ExchangeError(_("Unknown attribute %(code)s.", code=code))
        if not translation_status.is_translatable(attr):
            raise ExchangeError(
                _(
                    "The attribute %(code)s is not a localizable text: it is not translated.",
                    code=code,
                )
            )
    return set(codes) or None


# --- selection ----------------------------------------------------------------------------


def select_items(session, selection: ExportSelection) -> list[Product | ProductModel]:
    """The products and models to export: the named ones, the query's results, or all;
    the models of selected variants are added (they hold inherited values), roots first."""
    if selection.identifiers:
        items = _named_items(session, selection.identifiers)
    elif selection.query and selection.query.strip():
        items = _searched_items(session, selection.query)
    else:
        items = [*session.scalars(select(ProductModel).order_by(ProductModel.code))]
        items += session.scalars(select(Product).order_by(Product.identifier))
    result: dict[tuple[str, int], Product | ProductModel] = {}
    for item in items:
        for model in ancestors(item.parent):
            result.setdefault(("model", model.id), model)
        kind = "product" if isinstance(item, Product) else "model"
        result.setdefault((kind, item.id), item)
    models = [item for (kind, _id), item in result.items() if kind == "model"]
    products = [item for (kind, _id), item in result.items() if kind == "product"]
    return sorted(models, key=lambda m: (m.level, m.code)) + products


def _named_items(session, keys: list[str]) -> list[Product | ProductModel]:
    wanted = list(dict.fromkeys(keys))
    products = {
        p.identifier: p
        for p in session.scalars(select(Product).where(Product.identifier.in_(wanted)))
    }
    models = {
        m.code: m
        for m in session.scalars(select(ProductModel).where(ProductModel.code.in_(wanted)))
    }
    unknown = [key for key in wanted if key not in products and key not in models]
    if unknown:
        raise ExchangeError(
            _("No product or product model is named %(keys)s.", keys=", ".join(unknown))
        )
    items: list[Product | ProductModel] = []
    for key in wanted:
        items += [found[key] for found in (models, products) if key in found]
    return items


def _searched_items(session, query: str) -> list[Product | ProductModel]:
    items: list = []
    while True:
        try:
            page = search.search(
                session, query, sort="identifier", offset=len(items), limit=SEARCH_PAGE, facets=()
            )
        except SearchSyntaxError as error:
            raise ExchangeError(str(error)) from None
        items += [hit.item for hit in page.items if hit.item is not None]
        if len(page.items) < SEARCH_PAGE or len(items) >= page.total:
            return items


# --- units --------------------------------------------------------------------------------


def item_kind(item) -> str:
    """``product`` or ``model``: the first part of a unit id."""
    return "product" if isinstance(item, Product) else "model"


def item_key(item) -> str:
    """The identifier of a product, the code of a model."""
    return item.identifier if isinstance(item, Product) else item.code


def item_attributes(structure, item) -> set[str] | None:
    """Attribute codes ``item`` holds itself (its family and level); None: any."""
    if isinstance(item, Product):
        family = structure.families.get(item.family.code) if item.family else None
        variant = (
            structure.family_variants[item.parent.family_variant.code] if item.parent else None
        )
        level = variant.levels if variant else 0
    else:
        variant = structure.family_variants[item.family_variant.code]
        family = structure.families[variant.family]
        level = item.level
    return allowed_attributes(structure, family, variant, level)[0]


def max_length(attr) -> int:
    """The longest value the attribute takes (its rule, or the type's default)."""
    default = DEFAULT_TEXTAREA_LENGTH if attr.type == "textarea" else DEFAULT_TEXT_LENGTH
    return attr.max_length or default


def is_rich(attr) -> bool:
    """Whether values of ``attr`` are HTML."""
    return attr.type == "textarea" and bool(attr.rich_text)


def item_units(structure, item, source: str, target: str, codes, selection: ExportSelection):
    """The units of one item from ``source`` to ``target`` (``codes``: attribute filter)."""
    allowed = item_attributes(structure, item)
    values = item.values or {}
    label = None
    for code in sorted(values, key=lambda c: _attribute_order(structure, c)):
        attr = structure.attributes.get(code)
        if not translation_status.is_translatable(attr):
            continue
        if (codes is not None and code not in codes) or (
            allowed is not None and code not in allowed
        ):
            continue
        for entry in values[code]:
            scope = entry.get("scope")
            if entry.get("locale") != source or is_empty(entry.get("data")):
                continue
            if not _scope_fits(structure, attr, scope, target, selection.scope):
                continue
            current = value_of(values, code, target, scope)
            outdated = current is not None and is_outdated(item, code, target, scope)
            if selection.only_pending and current is not None and not outdated:
                continue
            if label is None:
                label = item_label(structure, item, source)
            unit = _unit(item, attr, scope, source, target, entry["data"], current, label)
            if outdated:  # CAT tools show it for review; imported as is, it stays outdated
                unit.state = "needs-review"
                unit.notes.append(_("The source text changed since this translation."))
            yield unit


def _attribute_order(structure, code: str):
    attr = structure.attributes.get(code)
    return (attr.group, attr.sort_order, code) if attr else ("", 0, code)


def _scope_fits(structure, attr, scope, target: str, wanted: str | None) -> bool:
    if not attr.scopable:
        return scope is None
    channel = structure.channels.get(scope)
    return channel is not None and target in channel.locales and wanted in (None, scope)


def value_of(values: dict, code: str, locale: str, scope):
    """The data of one value of a values document, None when empty or absent."""
    for entry in values.get(code, ()):
        if entry.get("locale") == locale and entry.get("scope") == scope:
            return None if is_empty(entry.get("data")) else entry["data"]
    return None


def is_outdated(item, code: str, locale: str, scope) -> bool:
    """Whether the translation of ``code`` in ``locale`` held by ``item`` was made from
    another text than today's source (in the catalogue's source locale)."""
    stamp = (item.translation_sources or {}).get(value_key(code, locale, scope))
    if stamp is None:
        return False
    source = value_of(item.values or {}, code, translation_status.source_locale(), scope)
    return stamp.get("hash") != translation_status.source_hash(source)


def item_label(structure, item, locale: str) -> str:
    """What translators read to know the item: its key and its label (family label
    attribute) in the source locale."""
    key = item_key(item)
    family = structure.families.get(item.family.code) if item.family else None
    if family is None or not family.label_attribute:
        return key
    for entry in effective_values(item).get(family.label_attribute, ()):
        if entry.get("locale") in (locale, None) and not is_empty(entry.get("data")):
            return f"{key} — {entry['data']}"
    return key


def _unit(item, attr, scope, source, target, text, current, label) -> TranslationUnit:
    kind = item_kind(item)
    what = _("Product") if kind == "product" else _("Product model")
    notes = [
        f"{what}: {label}",
        _("Attribute: %(label)s", label=attr.label(source)),
    ]
    if scope is not None:
        notes.append(_("Channel: %(channel)s", channel=scope))
    return TranslationUnit(
        kind,
        item_key(item),
        attr.code,
        scope,
        source,
        target,
        source=text,
        target=current,
        rich=is_rich(attr),
        max_length=max_length(attr),
        notes=notes,
        state="translated" if current is not None else "new",
    )


def _write(file: TranslationFile, file_format: str) -> bytes:
    out = io.BytesIO()
    if file_format.startswith("xliff"):
        write_xliff(file, out, "1.2" if file_format == "xliff12" else "2.0")
    else:
        write_sheet(file, out, file_format)
    return out.getvalue()


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return out.getvalue()


__all__ = [
    "FORMATS",
    "ExchangeError",
    "ExportResult",
    "ExportSelection",
    "export_translations",
]
