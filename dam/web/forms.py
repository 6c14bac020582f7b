"""The asset page's rights & description form: HTML fields ↔ :func:`update_asset` data.

The form shows plain text (comma-separated lists, ISO dates); :func:`submitted` turns a
posted form into the service's data and :func:`shown` an asset (or the posted form, when
it comes back with errors) into the text of each field.
"""

from __future__ import annotations

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from dam.models import Asset

TEXT_FIELDS = (
    "copyright_holder",
    "copyright_notice",
    "creator",
    "credit_line",
    "licensor",
    "usage_terms",
    "web_statement",
)
CHOICE_FIELDS = ("licence_type", "model_release", "property_release")
LIST_FIELDS = ("tags", "collections", "allowed_territories")
DATE_FIELDS = ("valid_from", "valid_until")
LOCALIZED = ("title", "alt_text")


class FormError(ValueError):
    """The form is malformed (not something a person typed wrong): answer 400."""


def expected_version(form: MultiDict) -> int:
    """The ``row_version`` the page was rendered with."""
    raw = form.get("row_version", "")
    if not raw.isascii() or not raw.isdigit():
        raise FormError(_("the form has no valid row_version; reload the page"))
    return int(raw)


def split_list(text: str) -> list[str]:
    """``"a, b,,c "`` → ``["a", "b", "c"]``."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def submitted(form: MultiDict, locales: list[str]) -> dict:
    """The service data of a posted rights form."""
    data: dict = {}
    for name in LOCALIZED:
        data[name] = {locale: form.get(f"{name}.{locale}", "") for locale in locales}
    for name in TEXT_FIELDS + CHOICE_FIELDS:
        if name in form:
            data[name] = form.get(name, "")
    for name in LIST_FIELDS:
        if name in form:
            data[name] = split_list(form.get(name, ""))
    for name in DATE_FIELDS:
        if name in form:
            data[name] = form.get(name, "").strip() or None
    if form.get("allowed_channels_shown") == "1":
        data["allowed_channels"] = form.getlist("allowed_channels")
    return data


def shown(asset: Asset, locales: list[str], form: MultiDict | None = None) -> dict:
    """The text of each field: the posted form's when given, else the asset's."""
    if form is not None:
        values = {key: form.get(key, "") for key in form}
        values["allowed_channels"] = form.getlist("allowed_channels")
        return values
    values: dict = {}
    for name in LOCALIZED:
        texts = getattr(asset, name) or {}
        for locale in locales:
            values[f"{name}.{locale}"] = texts.get(locale, "")
    for name in TEXT_FIELDS + CHOICE_FIELDS:
        values[name] = getattr(asset, name) or ""
    values["tags"] = ", ".join(asset.tags or [])
    values["collections"] = ", ".join(c.code for c in asset.collections)
    values["allowed_territories"] = ", ".join(asset.allowed_territories or [])
    values["allowed_channels"] = list(asset.allowed_channels or [])
    for name in DATE_FIELDS:
        day = getattr(asset, name)
        values[name] = day.isoformat() if day else ""
    return values


def problems_by_field(problems) -> dict[str, list[str]]:
    """Service problems grouped by field (``""`` for those about the whole form)."""
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem.field or "", []).append(problem.message)
    return grouped
