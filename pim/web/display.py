"""How values, dates and completeness read in the UI (Jinja filters; plain text only).

Nothing here returns markup: templates autoescape whatever these functions return, so a
value such as ``<img src=x onerror=alert(1)>`` is shown as text.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

import nh3
from flask import Flask
from flask_babel import gettext as _

from pim.units import UNIT_FAMILIES, UNIT_SYMBOLS

EMPTY = "—"
#: Tags that separate words: the text must not run together when they are removed.
_BLOCK_TAG = re.compile(r"<(?=/?(?:p|br|li|ul|ol|div|h[1-6]|tr|td|th|blockquote)\b)", re.I)


def init_app(app: Flask) -> None:
    """Register the filters used by the templates."""
    app.add_template_filter(show_data, "data")
    app.add_template_filter(show_time, "when")
    app.add_template_filter(ratio_level, "ratio_level")
    app.add_template_filter(label_of, "label")
    app.add_template_global(show_value, "show_value")
    app.add_template_global(metric_units, "metric_units")
    app.add_template_global(unit_symbol, "unit_symbol")


def show_data(data, rich_text: bool = False) -> str:
    """A stored datum as one line of text, whatever its shape."""
    if data is None or data == "" or data == [] or data == {}:
        return EMPTY
    if isinstance(data, bool):
        return _("Yes") if data else _("No")
    if isinstance(data, dict) and "amount" in data and "unit" in data:
        return f"{data['amount']} {UNIT_SYMBOLS.get(data['unit'], data['unit'])}"
    if isinstance(data, list):
        return ", ".join(_show_item(item) for item in data)
    if rich_text and isinstance(data, str):
        # sanitised HTML stored for rich text: show its words, never its markup
        return rich_text_words(data)
    return str(data)


def _show_item(item) -> str:
    if isinstance(item, dict) and "currency" in item:
        return f"{item.get('amount')} {item['currency']}"
    return show_data(item)


def show_time(moment: datetime | None) -> str:
    """A UTC timestamp as ``2024-05-01 14:03 UTC``."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else EMPTY


def ratio_level(ratio: int | None) -> str:
    """CSS modifier of a completeness badge (the percentage is always shown as text too)."""
    if ratio is None:
        return "none"
    if ratio >= 100:
        return "complete"
    return "partial" if ratio >= 50 else "low"


def label_of(labels: dict | None, locale: str | None, fallback: str) -> str:
    """The label in ``locale``, else any label, else ``fallback`` (usually the code)."""
    labels = labels or {}
    if locale and labels.get(locale):
        return labels[locale]
    return next((text for text in labels.values() if text), fallback)


def show_value(attr, data, locale: str | None = None) -> str:
    """A value of ``attr`` as text: option labels for selects, words for rich text."""
    if attr.type == "simple_select" and isinstance(data, str):
        return label_of(attr.options.get(data), locale, data)
    if attr.type == "multi_select" and isinstance(data, list) and data:
        return ", ".join(label_of(attr.options.get(code), locale, code) for code in data)
    return show_data(data, rich_text=attr.rich_text)


def metric_units(attr) -> list[str]:
    """Unit codes a metric attribute accepts (its unit family's)."""
    return list(UNIT_FAMILIES.get(attr.metric_family or "", {}))


def unit_symbol(unit: str) -> str:
    """``GRAM`` → ``g``."""
    return UNIT_SYMBOLS.get(unit, unit)


def rich_text_words(markup: str) -> str:
    """The words of sanitised rich text, as plain text (the template escapes it)."""
    text = nh3.clean(_BLOCK_TAG.sub(" <", markup), tags=set())
    return " ".join(html.unescape(text).split())
