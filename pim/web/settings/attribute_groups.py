"""Attribute groups: list with a create form, edit form (labels, order), history."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from pim.extensions import db
from pim.models import AttributeGroup
from pim.services import structure
from pim.services.errors import Problem
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
    whole_number,
)


@bp.get("/settings/attribute-groups")
@configure
def settings_attribute_groups():
    """Every group in editor order, and the form adding one."""
    return _render_list({"code": "", "labels": {}, "sort_order": _next_order()})


@bp.post("/settings/attribute-groups")
@configure
def settings_attribute_group_create():
    """Create a group; 422 with the form kept when refused."""
    problems: list[Problem] = []
    payload = {"code": request.form.get("code", "").strip(), **_fields(problems)}
    outcome = save(
        lambda: structure.create_attribute_group(db.session, payload, ui_actor()), problems
    )
    if not outcome.saved:
        return _render_list(payload, outcome.errors), 422
    flash(_("Created the attribute group %(code)s.", code=payload["code"]), "success")
    return redirect(url_for("web.settings_attribute_groups"))


@bp.get("/settings/attribute-groups/<code>")
@configure
def settings_attribute_group(code: str):
    """The edit form and history of one group."""
    group = get_or_404(AttributeGroup, code)
    return _render_edit(group, structure.attribute_group_state(group))


@bp.post("/settings/attribute-groups/<code>")
@configure
def settings_attribute_group_update(code: str):
    """Save a group's labels and order."""
    group = get_or_404(AttributeGroup, code)
    problems: list[Problem] = []
    payload = _fields(problems)
    outcome = save(
        lambda: structure.update_attribute_group(db.session, group, payload, ui_actor()), problems
    )
    if not outcome.saved:
        return _render_edit(group, {"code": code, **payload}, outcome.errors), 422
    saved = _("Saved the attribute group %(code)s.", code=code)
    unchanged = _("Nothing to save: the attribute group %(code)s is unchanged.", code=code)
    flash(changed(outcome.result, saved, unchanged), "success")
    return redirect(url_for("web.settings_attribute_group", code=code))


def _fields(problems: list[Problem]) -> dict:
    return {
        "labels": labels_from(request.form, locale_codes()),
        "sort_order": whole_number(request.form, "sort_order", problems),
    }


def _next_order() -> int:
    orders = list(db.session.scalars(select(AttributeGroup.sort_order)))
    return max(orders, default=-1) + 1


def _render_list(data: dict, errors: dict | None = None):
    groups = db.session.scalars(
        select(AttributeGroup).order_by(AttributeGroup.sort_order, AttributeGroup.code)
    )
    return render_template(
        "settings/attribute_groups.html",
        groups=list(groups),
        data=data,
        errors=errors or {},
        locales=locale_codes(),
    )


def _render_edit(group: AttributeGroup, data: dict, errors: dict | None = None):
    return render_template(
        "settings/attribute_group_edit.html",
        group=group,
        data=data,
        errors=errors or {},
        locales=locale_codes(),
        versions=versions_of("attribute_group", group),
    )
