"""Association types (cross-sell, upsell, packs…): list with a create form, edit form
(labels), history. The code is fixed: product associations refer to it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from pim.extensions import db
from pim.models import AssociationType
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


@bp.get("/settings/association-types")
@configure
def settings_association_types():
    """Every association type and the form adding one."""
    return _render_list({"code": "", "labels": {}})


@bp.post("/settings/association-types")
@configure
def settings_association_type_create():
    """Create an association type."""
    data = {
        "code": request.form.get("code", "").strip(),
        "labels": labels_from(request.form, locale_codes()),
    }
    outcome = save(lambda: structure.create_association_type(db.session, data, ui_actor()))
    if not outcome.saved:
        return _render_list(data, outcome.errors), 422
    flash(_("Created the association type %(code)s.", code=data["code"]), "success")
    return redirect(url_for("web.settings_association_types"))


@bp.get("/settings/association-types/<code>")
@configure
def settings_association_type(code: str):
    """The edit form and history of an association type."""
    kind = get_or_404(AssociationType, code)
    return _render_edit(kind, {"code": code, "labels": kind.labels})


@bp.post("/settings/association-types/<code>")
@configure
def settings_association_type_update(code: str):
    """Save an association type's labels."""
    kind = get_or_404(AssociationType, code)
    data = {"labels": labels_from(request.form, locale_codes())}
    outcome = save(lambda: structure.update_association_type(db.session, kind, data, ui_actor()))
    if not outcome.saved:
        return _render_edit(kind, {"code": code, **data}, outcome.errors), 422
    saved = _("Saved the association type %(code)s.", code=code)
    unchanged = _("Nothing to save: the association type %(code)s is unchanged.", code=code)
    flash(changed(outcome.result, saved, unchanged), "success")
    return redirect(url_for("web.settings_association_type", code=code))


def _render_list(data: dict, errors: dict | None = None):
    kinds = db.session.scalars(select(AssociationType).order_by(AssociationType.code))
    return render_template(
        "settings/association_types.html",
        kinds=list(kinds),
        data=data,
        errors=errors or {},
        locales=locale_codes(),
    )


def _render_edit(kind: AssociationType, data: dict, errors: dict | None = None):
    return render_template(
        "settings/association_type_edit.html",
        kind=kind,
        data=data,
        errors=errors or {},
        locales=locale_codes(),
        versions=versions_of("association_type", kind),
    )
