"""Families: the list, create and edit forms (attributes, label and image attribute, and the
attribute × channel matrix of requirements), history.

Matrix inputs: ``attributes`` (ticked: in the family) and ``req-<channel>`` (ticked:
required for completeness in that channel), both with the attribute code as value.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from pim.extensions import db
from pim.models import Attribute, AttributeGroup, Channel, Family, FamilyRequirement
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

#: Types offered as a family's label attribute and as its image attribute.
LABEL_TYPES = {"identifier", "text"}
IMAGE_TYPES = {"asset_collection"}


@bp.get("/settings/families")
@configure
def settings_families():
    """Every family with its size and requirements per channel."""
    families = db.session.scalars(
        select(Family)
        .options(
            selectinload(Family.attributes),
            selectinload(Family.variants),
            selectinload(Family.requirements).joinedload(FamilyRequirement.channel),
        )
        .order_by(Family.code)
    )
    return render_template(
        "settings/families.html", families=list(families), locales=locale_codes()
    )


@bp.get("/settings/new/family")
@configure
def settings_family_new():
    """The create form."""
    data = {"code": "", "labels": {}, "attributes": [], "requirements": {}}
    return _render_form(None, {**data, "label_attribute": None, "image_attribute": None})


@bp.post("/settings/families")
@configure
def settings_family_create():
    """Create a family; 422 with the form kept when refused."""
    data = {"code": request.form.get("code", "").strip(), **_submitted()}
    outcome = save(lambda: structure.create_family(db.session, data, ui_actor()))
    if not outcome.saved:
        return _render_form(None, data, outcome.errors), 422
    flash(_("Created the family %(code)s.", code=data["code"]), "success")
    return redirect(url_for("web.settings_family", code=data["code"]))


@bp.get("/settings/families/<code>")
@configure
def settings_family(code: str):
    """The edit form, the family's variants and its history."""
    family = get_or_404(Family, code)
    return _render_form(family, structure.family_state(family))


@bp.post("/settings/families/<code>")
@configure
def settings_family_update(code: str):
    """Save a family; its products' completeness is recomputed by the service."""
    family = get_or_404(Family, code)
    data = _submitted()
    outcome = save(lambda: structure.update_family(db.session, family, data, ui_actor()))
    if not outcome.saved:
        return _render_form(family, {"code": code, **data}, outcome.errors), 422
    saved = _("Saved the family %(code)s.", code=code)
    unchanged = _("Nothing to save: the family %(code)s is unchanged.", code=code)
    flash(changed(outcome.result, saved, unchanged), "success")
    return redirect(url_for("web.settings_family", code=code))


def _submitted() -> dict:
    """The service payload from the form: every channel's requirements are replaced."""
    form = request.form
    channels = db.session.scalars(select(Channel.code).order_by(Channel.code))
    return {
        "labels": labels_from(form, locale_codes()),
        "attributes": list(dict.fromkeys(form.getlist("attributes"))),
        "label_attribute": form.get("label_attribute") or None,
        "image_attribute": form.get("image_attribute") or None,
        "requirements": {ch: list(dict.fromkeys(form.getlist(f"req-{ch}"))) for ch in channels},
    }


def _render_form(family: Family | None, data: dict, errors: dict | None = None):
    attributes = list(
        db.session.scalars(
            select(Attribute)
            .join(Attribute.group)
            .options(joinedload(Attribute.group))
            .order_by(AttributeGroup.sort_order, AttributeGroup.code, Attribute.sort_order)
        )
    )
    return render_template(
        "settings/family_form.html",
        family=family,
        data=data,
        errors=errors or {},
        locales=locale_codes(),
        attributes=attributes,
        channels=list(db.session.scalars(select(Channel).order_by(Channel.code))),
        label_choices=[a.code for a in attributes if a.type in LABEL_TYPES],
        image_choices=[a.code for a in attributes if a.type in IMAGE_TYPES],
        versions=versions_of("family", family) if family else [],
    )
