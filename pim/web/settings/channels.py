"""Channels: the list, create and edit forms (labels, locales, currencies, category tree),
history. Changing locales or currencies recomputes completeness (in the service)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from pim.extensions import db
from pim.models import Category, Channel, Currency
from pim.services import structure
from pim.web.blueprint import bp
from pim.web.settings.common import (
    changed,
    configure,
    get_or_404,
    labels_from,
    locale_codes,
    save,
    ui_actor,
    versions_of,
)


@bp.get("/settings/channels")
@configure
def settings_channels():
    """Every channel with its locales, currencies and tree."""
    channels = db.session.scalars(select(Channel).order_by(Channel.code))
    return render_template(
        "settings/channels.html",
        channels=[structure.channel_state(ch) for ch in channels],
        locales=locale_codes(),
    )


@bp.get("/settings/new/channel")
@configure
def settings_channel_new():
    """The create form."""
    data = {"code": "", "labels": {}, "locales": [], "currencies": [], "category_tree": None}
    return _render_form(None, data)


@bp.post("/settings/channels")
@configure
def settings_channel_create():
    """Create a channel; 422 with the form kept when refused."""
    data = {"code": request.form.get("code", "").strip(), **_submitted()}
    outcome = save(lambda: structure.create_channel(db.session, data, ui_actor()))
    if not outcome.saved:
        return _render_form(None, data, outcome.errors), 422
    flash(_("Created the channel %(code)s.", code=data["code"]), "success")
    return redirect(url_for("web.settings_channel", code=data["code"]))


@bp.get("/settings/channels/<code>")
@configure
def settings_channel(code: str):
    """The edit form and history of a channel."""
    channel = get_or_404(Channel, code)
    return _render_form(channel, structure.channel_state(channel))


@bp.post("/settings/channels/<code>")
@configure
def settings_channel_update(code: str):
    """Save a channel."""
    channel = get_or_404(Channel, code)
    data = _submitted()
    outcome = save(lambda: structure.update_channel(db.session, channel, data, ui_actor()))
    if not outcome.saved:
        return _render_form(channel, {"code": code, **data}, outcome.errors), 422
    saved = _("Saved the channel %(code)s.", code=code)
    unchanged = _("Nothing to save: the channel %(code)s is unchanged.", code=code)
    flash(changed(outcome.result, saved, unchanged), "success")
    return redirect(url_for("web.settings_channel", code=code))


def _submitted() -> dict:
    form = request.form
    return {
        "labels": labels_from(form, locale_codes()),
        "locales": list(dict.fromkeys(form.getlist("locales"))),
        "currencies": list(dict.fromkeys(form.getlist("currencies"))),
        "category_tree": form.get("category_tree") or None,
    }


def _render_form(channel: Channel | None, data: dict, errors: dict | None = None):
    currencies = db.session.scalars(select(Currency).order_by(Currency.code))
    trees = db.session.scalars(
        select(Category.code).where(Category.parent_id.is_(None)).order_by(Category.code)
    )
    return render_template(
        "settings/channel_form.html",
        channel=channel,
        data=data,
        errors=errors or {},
        locales=locale_codes(),
        currencies=[c for c in currencies if c.enabled or c.code in data["currencies"]],
        trees=list(trees),
        versions=versions_of("channel", channel) if channel else [],
    )
