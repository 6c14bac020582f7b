"""How values, dates and completeness read in the UI (Jinja filters; plain text only).

Numbers, prices, metric values, dates and sizes are formatted by Babel for the UI language
of the request (Flask-Babel's ``get_locale()``: ``1 234,50 €`` in French, ``€1,234.50`` in
English); numbers keep the precision they were stored with (``12.345`` is never rounded to
``12.35``). Timestamps are shown in the configured time zone (``BABEL_DEFAULT_TIMEZONE``,
UTC by default) and always name it. Names of languages, countries and currencies come from
CLDR in the same language.

Nothing here returns markup: templates autoescape whatever these functions return, so a
value such as ``<img src=x onerror=alert(1)>`` is shown as text.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal, InvalidOperation

import nh3
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_datetime_format
from babel.dates import format_datetime as babel_datetime
from babel.numbers import format_currency, format_decimal, format_percent, get_currency_name
from flask import Flask, has_app_context
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _

from pim.units import UNIT_FAMILIES, UNIT_SYMBOLS

EMPTY = "—"
#: Tags that separate words: the text must not run together when they are removed.
_BLOCK_TAG = re.compile(r"<(?=/?(?:p|br|li|ul|ol|div|h[1-6]|tr|td|th|blockquote)\b)", re.I)
_FALLBACK = Locale("en")


def init_app(app: Flask) -> None:
    """Register the filters used by the templates."""
    app.add_template_filter(show_data, "data")
    app.add_template_filter(show_time, "when")
    app.add_template_filter(show_day, "day")
    app.add_template_filter(show_number, "number")
    app.add_template_filter(show_percent, "percent")
    app.add_template_filter(show_price, "price")
    app.add_template_filter(show_size, "size")
    app.add_template_filter(show_seconds, "seconds")
    app.add_template_filter(ratio_level, "ratio_level")
    app.add_template_filter(label_of, "label")
    app.add_template_filter(locale_name, "locale_name")
    app.add_template_filter(territory_name, "territory_name")
    app.add_template_filter(currency_name, "currency_name")
    app.add_template_global(show_value, "show_value")
    app.add_template_global(metric_units, "metric_units")
    app.add_template_global(unit_symbol, "unit_symbol")


def ui_locale() -> Locale:
    """The UI language of the request (English outside a request)."""
    locale = get_locale() if has_app_context() else None
    return locale or _FALLBACK


def _time_zone() -> dt.tzinfo:
    return (get_timezone() if has_app_context() else None) or dt.UTC


def show_data(data, rich_text: bool = False) -> str:
    """A stored datum as one line of text, whatever its shape."""
    if data is None or data == "" or data == [] or data == {}:
        return EMPTY
    if isinstance(data, bool):
        return _("Yes") if data else _("No")
    if isinstance(data, dict) and "amount" in data and "unit" in data:
        return show_metric(data)
    if isinstance(data, list):
        return ", ".join(_show_item(item) for item in data)
    if isinstance(data, int | float | Decimal):
        return show_number(data)
    if rich_text and isinstance(data, str):
        # sanitised HTML stored for rich text: show its words, never its markup
        return rich_text_words(data)
    return str(data)


def _show_item(item) -> str:
    if isinstance(item, dict) and "currency" in item:
        return show_price(item.get("amount"), item["currency"])
    return show_data(item)


def as_decimal(value) -> Decimal | None:
    """``value`` (a stored number: int, Decimal or canonical string) as a Decimal, else None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def show_number(value, locale: Locale | str | None = None) -> str:
    """A number with the locale's separators, every stored decimal kept (``12 345,678``
    in French); anything that is not a number is shown as it is."""
    number = as_decimal(value)
    if number is None:
        return EMPTY if value is None or value == "" else str(value)
    return format_decimal(number, locale=locale or ui_locale(), decimal_quantization=False)


def show_percent(value, locale: Locale | str | None = None) -> str:
    """A whole percentage (``87`` → ``87 %`` in French)."""
    number = as_decimal(value)
    if number is None:
        return EMPTY
    return format_percent(number / 100, locale=locale or ui_locale(), decimal_quantization=False)


def show_price(amount, currency: str, locale: Locale | str | None = None) -> str:
    """``1 234,50 €`` (fr), ``€1,234.50`` (en); a malformed amount is shown as stored."""
    number = as_decimal(amount)
    if number is None:
        return f"{amount} {currency}"
    return format_currency(number, currency, locale=locale or ui_locale())


def show_metric(data: dict, locale: Locale | str | None = None) -> str:
    """A metric value: the amount in the locale's format and the unit's symbol."""
    amount = show_number(data.get("amount"), locale)
    return f"{amount} {unit_symbol(data.get('unit') or '')}".strip()


def show_time(moment: dt.datetime | None) -> str:
    """A timestamp in the configured time zone, naming it: ``14 mars 2026, 09:30 UTC``.

    Naive datetimes are UTC (that is how they are stored).
    """
    if not moment:
        return EMPTY
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    zone = _time_zone()
    local = moment.astimezone(zone)
    locale = ui_locale()
    day = format_date(local, "medium", locale=locale)
    hour = format_time(local, "short", tzinfo=zone, locale=locale)
    zone_name = babel_datetime(local, "z", tzinfo=zone, locale=locale)
    text = get_datetime_format("medium", locale=locale).replace("'", "")
    return text.replace("{0}", hour).replace("{1}", day) + f" {zone_name}"


def show_day(day: dt.date | str | None) -> str:
    """A calendar date (a ``date`` or ``YYYY-MM-DD``) as ``14 mars 2026``."""
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            return day or EMPTY
    if isinstance(day, dt.datetime):
        day = day.date()
    return format_date(day, "medium", locale=ui_locale()) if day else EMPTY


def show_size(size: int | None) -> str:
    """A file size in bytes with the locale's separators: ``1,5 Mo`` is ``1.5 MB`` in
    English (units of 1,000, as ``filesizeformat`` does)."""
    if size is None:
        return EMPTY
    if size >= 10**9:
        return _("%(size)s GB", size=_scaled(size, 10**9))
    if size >= 10**6:
        return _("%(size)s MB", size=_scaled(size, 10**6))
    if size >= 10**3:
        return _("%(size)s kB", size=_scaled(size, 10**3))
    return _("%(size)s bytes", size=show_number(size))


def _scaled(size: int, factor: int) -> str:
    return format_decimal(size / factor, "#,##0.#", locale=ui_locale())


def show_seconds(seconds: float | None) -> str:
    """A duration: ``12,5 s`` under a minute, ``3 min 05 s`` above."""
    if seconds is None:
        return EMPTY
    if seconds < 60:
        amount = format_decimal(seconds, "#,##0.0", locale=ui_locale())
        return _("%(seconds)s s", seconds=amount)
    minutes, rest = divmod(int(seconds), 60)
    return _("%(minutes)s min %(seconds)s s", minutes=show_number(minutes), seconds=f"{rest:02d}")


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
    """A value of ``attr`` as text: option labels for selects, words for rich text, dates
    and numbers in the UI language."""
    if attr.type == "simple_select" and isinstance(data, str):
        return label_of(attr.options.get(data), locale, data)
    if attr.type == "multi_select" and isinstance(data, list) and data:
        return ", ".join(label_of(attr.options.get(code), locale, code) for code in data)
    if attr.type == "date" and isinstance(data, str) and data:
        return show_day(data)
    if attr.type == "number" and isinstance(data, str | int) and data != "":
        return show_number(data)
    return show_data(data, rich_text=attr.rich_text)


def metric_units(attr) -> list[str]:
    """Unit codes a metric attribute accepts (its unit family's)."""
    return list(UNIT_FAMILIES.get(attr.metric_family or "", {}))


def unit_symbol(unit: str) -> str:
    """``GRAM`` → ``g``."""
    return UNIT_SYMBOLS.get(unit, unit)


def locale_name(code: str | None) -> str:
    """A locale code in the UI language: ``fr_FR`` → ``français (France)`` for a French
    user, ``French (France)`` for an English one (CLDR); unknown codes as they are."""
    if not code:
        return EMPTY
    try:
        name = Locale.parse(code).get_display_name(ui_locale())
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return name or code


def territory_name(code: str | None) -> str:
    """An ISO 3166 country code in the UI language (``DE`` → ``Allemagne``), from CLDR."""
    if not code:
        return EMPTY
    return ui_locale().territories.get(code.upper(), code)


def currency_name(code: str | None) -> str:
    """An ISO 4217 code in the UI language (``EUR`` → ``euro``), from CLDR."""
    if not code:
        return EMPTY
    return get_currency_name(code, locale=ui_locale())


def rich_text_words(markup: str) -> str:
    """The words of sanitised rich text, as plain text (the template escapes it)."""
    text = nh3.clean(_BLOCK_TAG.sub(" <", markup), tags=set())
    return " ".join(html.unescape(text).split())
