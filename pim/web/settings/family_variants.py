"""Family variants: the list, the create form (for one family), the edit form, history.

Each attribute of the family has one select ``level-<code>``: ``""`` (common to the root
model), ``"1"`` / ``"2"`` (owned by that level) or ``"1-axis"`` / ``"2-axis"`` (an axis
of that level). Levels can change only while no product model uses the variant.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from pim.extensions import db
from pim.models import Family, FamilyVariant, ProductModel
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


@bp.get("/settings/family-variants")
@configure
def settings_family_variants():
    """Every family variant with its levels, and a form to start a new one."""
    variants = db.session.scalars(select(FamilyVariant).order_by(FamilyVariant.code))
    return render_template(
        "settings/family_variants.html",
        variants=[structure.family_variant_state(fv) for fv in variants],
        families=list(db.session.scalars(select(Family.code).order_by(Family.code))),
    )


@bp.get("/settings/new/family-variant")
@configure
def settings_family_variant_new():
    """The create form for the family given as ``?family=``."""
    family = _family_or_404(request.args.get("family", ""))
    data = {"code": "", "family": family.code, "labels": {}, "placement": {}}
    return _render_form(None, family, data)


@bp.post("/settings/family-variants")
@configure
def settings_family_variant_create():
    """Create a family variant; 422 with the form kept when refused."""
    family = _family_or_404(request.form.get("family", ""))
    data = _submitted(family)
    data["code"] = request.form.get("code", "").strip()
    payload = {k: data[k] for k in ("code", "family", "labels", "variant_attribute_sets")}
    outcome = save(lambda: structure.create_family_variant(db.session, payload, ui_actor()))
    if not outcome.saved:
        return _render_form(None, family, data, outcome.errors), 422
    flash(_("Created the family variant %(code)s.", code=data["code"]), "success")
    return redirect(url_for("web.settings_family_variant", code=data["code"]))


@bp.get("/settings/family-variants/<code>")
@configure
def settings_family_variant(code: str):
    """The edit form and history of a family variant."""
    fv = get_or_404(FamilyVariant, code)
    state = structure.family_variant_state(fv)
    data = {**state, "placement": _placement(state["variant_attribute_sets"])}
    return _render_form(fv, fv.family, data)


@bp.post("/settings/family-variants/<code>")
@configure
def settings_family_variant_update(code: str):
    """Save labels and (while unused) levels."""
    fv = get_or_404(FamilyVariant, code)
    data = {**_submitted(fv.family), "code": code}
    payload = {k: data[k] for k in ("labels", "variant_attribute_sets")}
    outcome = save(lambda: structure.update_family_variant(db.session, fv, payload, ui_actor()))
    if not outcome.saved:
        return _render_form(fv, fv.family, data, outcome.errors), 422
    saved = _("Saved the family variant %(code)s.", code=code)
    unchanged = _("Nothing to save: the family variant %(code)s is unchanged.", code=code)
    flash(changed(outcome.result, saved, unchanged), "success")
    return redirect(url_for("web.settings_family_variant", code=code))


def _family_or_404(code: str) -> Family:
    if not code:
        abort(404)
    return get_or_404(Family, code)


def _submitted(family: Family) -> dict:
    """The form as typed (``placement``) and as the service reads it."""
    placement = {
        a.code: request.form.get(f"level-{a.code}", "")
        for a in family.attributes
        if a.type != "identifier"
    }
    sets = []
    for level in (1, 2):
        owned = sorted(c for c, where in placement.items() if where.split("-")[0] == str(level))
        axes = sorted(c for c in owned if placement[c] == f"{level}-axis")
        if owned:
            sets.append({"level": level, "axes": axes, "attributes": owned})
    return {
        "family": family.code,
        "labels": labels_from(request.form, locale_codes()),
        "placement": placement,
        "variant_attribute_sets": sets,
    }


def _placement(sets: list[dict]) -> dict[str, str]:
    """``{attribute: "1" | "1-axis" | "2" | "2-axis"}`` from the stored levels."""
    placement = {}
    for entry in sets:
        for code in entry["attributes"]:
            axis = "-axis" if code in entry["axes"] else ""
            placement[code] = f"{entry['level']}{axis}"
    return placement


def _axis_ok(attr) -> bool:
    return attr.type in structure.AXIS_TYPES and not attr.localizable and not attr.scopable


def _render_form(fv, family: Family, data: dict, errors: dict | None = None):
    attributes = [a for a in family.attributes if a.type != "identifier"]
    return render_template(
        "settings/family_variant_form.html",
        fv=fv,
        family=family,
        data=data,
        errors=errors or {},
        locales=locale_codes(),
        attributes=attributes,
        can_be_axis={a.code for a in attributes if _axis_ok(a)},
        in_use=fv is not None and _in_use(fv),
        versions=versions_of("family_variant", fv) if fv else [],
    )


def _in_use(fv: FamilyVariant) -> bool:
    used = select(ProductModel.id).where(ProductModel.family_variant_id == fv.id).limit(1)
    return db.session.scalar(used) is not None
