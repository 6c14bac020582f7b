"""Locales and currencies: lists with a create form; currencies are enabled or disabled.

A locale is active when a channel uses it (there is no switch of its own: choose a
channel's locales to activate one). Names come from CLDR through Babel, in the UI's language.
"""

from __future__ import annotations

from babel import Locale as BabelLocale
from babel import UnknownLocaleError
from babel.numbers import get_currency_name
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from pim.extensions import db
from pim.i18n import current_locale
from pim.models import Channel, Currency, Locale
from pim.services import structure
from pim.web.blueprint import bp
from pim.web.settings.common import GENERAL, configure, get_or_404, save, ui_actor


@bp.get("/settings/locales")
@configure
def settings_locales():
    """Every locale, its name and the channels using it."""
    return _render_locales("")


@bp.post("/settings/locales")
@configure
def settings_locale_create():
    """Add a locale (checked against CLDR)."""
    code = request.form.get("code", "").strip()
    outcome = save(lambda: structure.create_locale(db.session, code, ui_actor()))
    if not outcome.saved:
        return _render_locales(code, outcome.errors), 422
    message = _(
        "Added the locale %(code)s. Add it to a channel to translate products into it.", code=code
    )
    flash(message, "success")
    return redirect(url_for("web.settings_locales"))


@bp.get("/settings/currencies")
@configure
def settings_currencies():
    """Every currency, whether it is enabled and the channels using it."""
    return _render_currencies("")


@bp.post("/settings/currencies")
@configure
def settings_currency_create():
    """Add an ISO 4217 currency (enabled)."""
    code = request.form.get("code", "").strip().upper()
    outcome = save(lambda: structure.create_currency(db.session, code, ui_actor()))
    if not outcome.saved:
        return _render_currencies(code, errors=outcome.errors), 422
    flash(_("Added the currency %(code)s.", code=code), "success")
    return redirect(url_for("web.settings_currencies"))


@bp.post("/settings/currencies/<code>/enabled")
@configure
def settings_currency_enabled(code: str):
    """Enable (``enabled=1``) or disable a currency; refused while a channel uses it."""
    currency = get_or_404(Currency, code)
    enabled = request.form.get("enabled") == "1"
    outcome = save(
        lambda: structure.set_currency_enabled(db.session, currency, enabled, ui_actor())
    )
    if not outcome.saved:
        messages = [f"{code} {problem.message}" for problem in outcome.problems]
        return _render_currencies("", toggle_errors={GENERAL: messages}), 422
    if enabled:
        flash(_("%(code)s is enabled.", code=code), "success")
    else:
        flash(_("%(code)s is disabled.", code=code), "success")
    return redirect(url_for("web.settings_currencies"))


def locale_name(code: str) -> str:
    """``fr_FR`` → ``French (France)`` (in the UI's language); the code itself when CLDR
    does not know it."""
    try:
        return BabelLocale.parse(code).get_display_name(current_locale()) or code
    except (ValueError, TypeError, UnknownLocaleError):
        return code


def _render_locales(code: str, errors: dict | None = None):
    users: dict[str, list[str]] = {}
    for channel in db.session.scalars(select(Channel).order_by(Channel.code)):
        for locale in channel.locale_codes:
            users.setdefault(locale, []).append(channel.code)
    locales = db.session.scalars(select(Locale.code).order_by(Locale.code))
    rows = [(c, locale_name(c), users.get(c, [])) for c in locales]
    return render_template("settings/locales.html", rows=rows, code=code, errors=errors or {})


def _render_currencies(code: str, errors: dict | None = None, toggle_errors: dict | None = None):
    users: dict[str, list[str]] = {}
    for channel in db.session.scalars(select(Channel).order_by(Channel.code)):
        for currency in channel.currency_codes:
            users.setdefault(currency, []).append(channel.code)
    currencies = db.session.scalars(select(Currency).order_by(Currency.code))
    language = current_locale()
    rows = [
        (c, get_currency_name(c.code, locale=language), users.get(c.code, [])) for c in currencies
    ]
    return render_template(
        "settings/currencies.html",
        rows=rows,
        code=code,
        errors=errors or {},
        toggle_errors=toggle_errors or {},
    )
