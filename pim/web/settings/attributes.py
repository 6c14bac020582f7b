"""Attributes: the list, the create form, the edit form (labels, group, order, validation
rules per type, import sources), deletion, history. Options: :mod:`.attribute_options`."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from pim.extensions import db
from pim.models import Attribute, AttributeGroup
from pim.services import structure
from pim.services.errors import Problem
from pim.web.blueprint import bp
from pim.web.settings import attribute_form
from pim.web.settings.common import (
    changed,
    configure,
    get_or_404,
    locale_codes,
    save,
    ui_actor,
    versions_of,
)


@bp.get("/settings/attributes")
@configure
def settings_attributes():
    """Every attribute, by group then order."""
    attributes = db.session.scalars(
        select(Attribute)
        .join(Attribute.group)
        .options(contains_eager(Attribute.group), selectinload(Attribute.options))
        .order_by(AttributeGroup.sort_order, AttributeGroup.code, Attribute.sort_order)
    )
    return render_template(
        "settings/attributes.html",
        attributes=list(attributes),
        locales=locale_codes(),
        type_names=attribute_form.TYPE_NAMES,
    )


@bp.get("/settings/new/attribute")
@configure
def settings_attribute_new():
    """The create form."""
    data = attribute_form.blank_data()
    data["group"] = request.args.get("group", "")
    return _render_new(data)


@bp.post("/settings/attributes")
@configure
def settings_attribute_create():
    """Create an attribute; select attributes open on their options next."""
    data = attribute_form.data_from(request.form, locale_codes())
    problems: list[Problem] = []
    payload = attribute_form.payload(data, problems, creating=True)
    outcome = save(lambda: structure.create_attribute(db.session, payload, ui_actor()), problems)
    if not outcome.saved:
        return _render_new(data, outcome.errors), 422
    if data["type"] in attribute_form.SELECT_TYPES:
        message = _("Created the attribute %(code)s. Add its options below.", code=data["code"])
    else:
        message = _("Created the attribute %(code)s.", code=data["code"])
    flash(message, "success")
    return redirect(url_for("web.settings_attribute", code=data["code"]))


@bp.get("/settings/attributes/<code>")
@configure
def settings_attribute(code: str):
    """The edit form, the options of a select attribute, and the history."""
    attr = get_or_404(Attribute, code)
    return render_edit(attr, attribute_form.data_of(attr))


@bp.post("/settings/attributes/<code>")
@configure
def settings_attribute_update(code: str):
    """Save labels, group, order, rules and sources (type and scope are fixed)."""
    attr = get_or_404(Attribute, code)
    data = attribute_form.data_from(request.form, locale_codes(), saved=attr)
    problems: list[Problem] = []
    payload = attribute_form.payload(data, problems, creating=False)
    outcome = save(
        lambda: structure.update_attribute(db.session, attr, payload, ui_actor()), problems
    )
    if not outcome.saved:
        return render_edit(attr, data, errors=outcome.errors), 422
    saved = _("Saved the attribute %(code)s.", code=code)
    unchanged = _("Nothing to save: the attribute %(code)s is unchanged.", code=code)
    flash(changed(outcome.result, saved, unchanged), "success")
    return redirect(url_for("web.settings_attribute", code=code))


@bp.post("/settings/attributes/<code>/delete")
@configure
def settings_attribute_delete(code: str):
    """Delete an attribute no product uses (refused otherwise, with the reason)."""
    attr = get_or_404(Attribute, code)
    outcome = save(lambda: structure.delete_attribute(db.session, attr, ui_actor()))
    if not outcome.saved:
        attr = get_or_404(Attribute, code)
        return render_edit(attr, attribute_form.data_of(attr), errors=outcome.errors), 422
    flash(_("Deleted the attribute %(code)s.", code=code), "success")
    return redirect(url_for("web.settings_attributes"))


def _group_choices() -> list[tuple[str, str]]:
    groups = db.session.scalars(
        select(AttributeGroup).order_by(AttributeGroup.sort_order, AttributeGroup.code)
    )
    return [(g.code, g.code) for g in groups]


def _render_new(data: dict, errors: dict | None = None):
    return render_template(
        "settings/attribute_new.html",
        data=data,
        errors=errors or {},
        **_choices(),
    )


def render_edit(
    attr: Attribute,
    data: dict,
    *,
    errors=None,
    option_errors=None,
    new_option=None,
    option_rows=None,
):
    """The edit page; ``option_errors``, ``new_option`` and ``option_rows`` (the options
    table as typed) when an option form was refused."""
    return render_template(
        "settings/attribute_edit.html",
        attr=attr,
        data=data,
        errors=errors or {},
        option_errors=option_errors or {},
        new_option=new_option or {"code": "", "labels": {}, "swatch": ""},
        option_rows=option_rows if option_rows is not None else _stored_options(attr),
        versions=versions_of("attribute", attr),
        is_select=attr.type in attribute_form.SELECT_TYPES,
        **_choices(),
    )


def _stored_options(attr: Attribute) -> list[dict]:
    return [
        {"code": o.code, "labels": o.labels, "swatch": o.swatch, "sort_order": o.sort_order}
        for o in attr.options
    ]


def _choices() -> dict:
    return {
        "locales": locale_codes(),
        "groups": _group_choices(),
        "type_names": attribute_form.TYPE_NAMES,
        "rule_types": attribute_form.rule_types_attr,
        "unit_families": attribute_form.unit_choices(),
    }
