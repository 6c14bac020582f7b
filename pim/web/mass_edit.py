"""The product grid's tools: mass edit (choose, preview, run as a job, watch it) and each
user's saved views.

Mass edit goes in three steps, none of which changes anything before the last:

1. ``GET /mass-edit`` — the grid's selection (ticked ``id``\\ s, or ``all=1`` with the
   grid's query) and the operation form;
2. ``POST /mass-edit/preview`` — the operation checked; how many products and what happens
   to the first ones (or the form again, with its problems or for another attribute);
3. ``POST /mass-edit`` — the job created, committed and queued; its page polls its status
   (``static/js/grid.js``), like an import's.

Saved views are personal: every lookup goes through :mod:`pim.services.saved_views` with
the signed-in user, so another user's view answers 404.
"""

from __future__ import annotations

import math
import re

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from pim.extensions import db
from pim.models import AssociationType, Category, MassEditJob, Source, WorkflowStatus
from pim.services import mass_edit, saved_views
from pim.services.actors import Actor
from pim.services.errors import InvalidData, NotFound, Problem
from pim.services.structure_cache import Structure
from pim.web import context, forms, listing
from pim.web.blueprint import bp
from pim.web.security import require

FAILURES_PAGE_SIZE = 50
#: The grid's parameters a mass edit carries along, to go back to the same grid.
GRID_PARAMS = ("q", "family", "status", "sort", "cols", "group", "scope", "locale")
#: Operations in the order the form offers them, with their names.
OPERATIONS = {
    mass_edit.Kind.SET_VALUE: _l("Set a value"),
    mass_edit.Kind.CLEAR_VALUE: _l("Clear a value"),
    mass_edit.Kind.ADD_OPTIONS: _l("Add options to a multi-select"),
    mass_edit.Kind.REMOVE_OPTIONS: _l("Remove options from a multi-select"),
    mass_edit.Kind.CHANGE_STATUS: _l("Change the workflow status"),
    mass_edit.Kind.CHANGE_FAMILY: _l("Change the family"),
    mass_edit.Kind.ADD_CATEGORIES: _l("Add to categories"),
    mass_edit.Kind.REMOVE_CATEGORIES: _l("Remove from categories"),
    mass_edit.Kind.REPLACE_CATEGORIES: _l("Move to categories (replace them all)"),
    mass_edit.Kind.ADD_ASSOCIATIONS: _l("Add associations"),
    mass_edit.Kind.DELETE: _l("Delete the products"),
}


# --- step 1: the form ------------------------------------------------------------------


@bp.get("/mass-edit")
@require("edit")
def mass_edit_form():
    """The operation form for the grid's selection (nothing is changed here)."""
    structure = Structure.current(db.session)
    selection = _selection(request.args)
    if selection is None:
        flash(_("Select at least one product to mass edit."), "error")
        return redirect(url_for("web.product_list", **_grid_params(request.args)))
    return _render_form(structure, request.args, selection)


def _selection(source) -> mass_edit.Selection | None:
    """The ticked ids, or the grid's query with ``all=1``; None when nothing is selected."""
    if source.get("all") == "1":
        return mass_edit.Selection(query=listing.Filters.from_args(source).query_text())
    ids = [int(v) for v in source.getlist("id") if v.isascii() and v.isdigit() and len(v) < 12]
    ids = list(dict.fromkeys(ids))[: mass_edit.MAX_IDS]
    return mass_edit.Selection(ids=tuple(ids)) if ids else None


def _grid_params(source) -> dict:
    return {name: source[name] for name in GRID_PARAMS if source.get(name)}


def _render_form(structure, source, selection, problems=(), status=200):
    ctx = context.from_args(structure, source)
    attr = structure.attributes.get(source.get("attribute", ""))
    page = render_template(
        "mass_edit/form.html",
        ctx=ctx,
        form=source,
        selection=selection,
        selection_fields=_selection_fields(source),
        count=mass_edit.count_selected(db.session, selection),
        operations=OPERATIONS,
        attr=attr,
        value_raw=_value_raw(attr, source, _currencies(ctx)),
        currencies=_currencies(ctx),
        categories=_categories(),
        association_types=list(
            db.session.scalars(select(AssociationType.code).order_by(AssociationType.code))
        ),
        statuses=[s.value for s in WorkflowStatus],
        problems=problems,
        recent=mass_edit.recent_jobs(db.session),
        back=url_for("web.product_list", **_grid_params(source)),
    )
    return page, status


def _selection_fields(source) -> list[tuple[str, str]]:
    """Hidden inputs repeating the selection and the grid's parameters."""
    pairs = [("all", "1")] if source.get("all") == "1" else []
    pairs += [("id", v) for v in source.getlist("id")][: mass_edit.MAX_IDS]
    return pairs + list(_grid_params(source).items())


def _value_raw(attr, source, currencies):
    """What the value inputs show: what was typed, else empty inputs for the attribute."""
    if attr is None:
        return ""
    if attr.type in ("boolean", "asset_collection"):
        return source.get("value", "")
    if "value" in source or any(k.startswith("value.") for k in source):
        return forms.raw_from_form(source, "value", attr, currencies)
    return forms.raw_from_data(attr, None)


def _currencies(ctx) -> tuple[str, ...]:
    return ctx.channel.currencies if ctx.channel else tuple(sorted(ctx.structure.currencies))


def _categories() -> list[tuple[str, dict, int]]:
    """(code, labels, depth) of every category, each tree in order under its root."""
    rows = db.session.execute(select(Category.code, Category.labels, Category.path))
    found = []
    for code, labels, path in rows:
        ancestors = [int(part) for part in path.strip("/").split("/") if part]
        found.append((ancestors, code, labels or {}))
    found.sort(key=lambda item: item[0])
    return [(code, labels, max(len(ancestors) - 1, 0)) for ancestors, code, labels in found]


# --- step 2: the preview ---------------------------------------------------------------


@bp.post("/mass-edit/preview")
@require("edit")
def mass_edit_preview():
    """Check the operation; show how many products and what happens to the first ones."""
    structure = Structure.current(db.session)
    selection = _selection(request.form)
    if selection is None:
        abort(400, _("the form names no product"))
    if request.form.get("refresh"):
        return _render_form(structure, request.form, selection)
    try:
        op = _checked_operation(structure)
    except InvalidData as invalid:
        return _render_form(structure, request.form, selection, invalid.problems, 422)
    ctx = context.from_args(structure, request.form)
    found = mass_edit.preview(db.session, structure, op, selection, _actor())
    return render_template(
        "mass_edit/preview.html",
        ctx=ctx,
        preview=found,
        description=mass_edit.describe(structure, op, ctx.locale),
        op=op,
        fields=_repeated_fields(),
        back=url_for("web.product_list", **_grid_params(request.form)),
    )


def _checked_operation(structure) -> mass_edit.Operation:
    """The operation the form asks for, checked (InvalidData says what is wrong)."""
    form = request.form
    op = _operation(structure, form)
    return mass_edit.check_operation(db.session, structure, op)


def _operation(structure, form) -> mass_edit.Operation:
    kind = form.get("op", "")
    attr = structure.attributes.get(form.get("attribute", ""))
    fields: dict = {"kind": kind}
    if kind in mass_edit.VALUE_KINDS:
        fields["attribute"] = attr.code if attr else None
        fields["locale"] = (form.get("value_locale") or None) if attr and attr.localizable else None
        fields["scope"] = (form.get("value_scope") or None) if attr and attr.scopable else None
        if kind == mass_edit.Kind.SET_VALUE and attr is not None:
            fields["data"] = _value_data(structure, attr, form)
        fields["options"] = tuple(dict.fromkeys(form.getlist("options")))
    fields["family"] = form.get("new_family") or None
    fields["categories"] = tuple(dict.fromkeys(form.getlist("categories")))
    fields["status"] = form.get("new_status") or None
    fields["association_type"] = form.get("association_type") or None
    products, models = mass_edit.split_targets(db.session, form.get("targets", ""))
    fields["products"], fields["product_models"] = products, models
    return mass_edit.Operation(**fields)


def _value_data(structure, attr, form):
    """The new value as the product editor reads its inputs (booleans: a Yes/No choice;
    asset collections: codes separated by commas or spaces; numbers in the UI language,
    an ambiguous one refused with InvalidData)."""
    if attr.type == "boolean":
        return {"1": True, "0": False}.get(form.get("value", ""))
    if attr.type == "asset_collection":
        return [code for code in re.split(r"[\s,;]+", form.get("value", "")) if code] or None
    ctx = context.from_args(structure, form)
    raw = forms.raw_from_form(form, "value", attr, _currencies(ctx))
    try:
        return forms.parse(attr, raw, None)
    except forms.AmbiguousNumber as error:  # read in the UI language: 1.234 in German
        problem = Problem(str(error), attribute=attr.code)
        raise InvalidData(_("the new value"), [problem]) from None


def _repeated_fields() -> list[tuple[str, str]]:
    """Every field of the submitted form but the token, for the next step's hidden inputs."""
    skipped = {"csrf_token", "refresh"}
    return [(k, v) for k, v in request.form.items(multi=True) if k not in skipped]


# --- step 3: the job ---------------------------------------------------------------------


@bp.post("/mass-edit")
@require("edit")
def mass_edit_start():
    """Create the job, commit it, queue it and show its page."""
    structure = Structure.current(db.session)
    selection = _selection(request.form)
    if selection is None:
        abort(400, _("the form names no product"))
    try:
        op = _checked_operation(structure)
    except InvalidData as invalid:
        return _render_form(structure, request.form, selection, invalid.problems, 422)
    ctx = context.from_args(structure, request.form)
    job = mass_edit.create_job(
        db.session,
        op,
        selection,
        user=current_user._get_current_object(),
        description=mass_edit.describe(structure, op, ctx.locale),
    )
    db.session.commit()
    job_id = job.id
    mass_edit.enqueue(job)
    return redirect(url_for("web.mass_edit_job", job_id=job_id, **_grid_params(request.form)))


@bp.get("/mass-edit/jobs/<int:job_id>")
@require("edit")
def mass_edit_job(job_id: int):
    """The job's progress (polled by ``grid.js``) and the products it refused."""
    job = _job_or_404(job_id)
    total = mass_edit.failure_count(db.session, job)
    pages = max(math.ceil(total / FAILURES_PAGE_SIZE), 1)
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    return render_template(
        "mass_edit/job.html",
        job=job,
        status=mass_edit.job_status(job),
        failures=mass_edit.failures(
            db.session, job, limit=FAILURES_PAGE_SIZE, offset=(page - 1) * FAILURES_PAGE_SIZE
        ),
        total=total,
        page=page,
        pages=pages,
        grid=_grid_params(request.args),
    )


@bp.get("/mass-edit/jobs/<int:job_id>/status")
@require("edit")
def mass_edit_status(job_id: int):
    """The job's live counts as JSON, for the progress bar."""
    response = jsonify(mass_edit.job_status(_job_or_404(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


def _job_or_404(job_id: int) -> MassEditJob:
    job = db.session.get(MassEditJob, job_id)
    if job is None:
        abort(404)
    return job


def _actor() -> Actor:
    return Actor.for_user(current_user, Source.MASS_EDIT)


# --- saved views ---------------------------------------------------------------------------


@bp.get("/views")
def saved_views_page():
    """The signed-in user's saved views: open, rename, delete."""
    views = saved_views.views_of(db.session, current_user)
    return render_template(
        "mass_edit/views.html",
        views=[(view, saved_views.view_params(view)) for view in views],
    )


@bp.post("/views")
def save_view():
    """Save the grid's current settings under a name (the same name updates that view)."""
    settings = {
        "query": request.form.get("q", ""),
        "family": request.form.get("family", ""),
        "status": request.form.get("status", ""),
        "sort": request.form.get("sort", ""),
        "columns": [c for c in request.form.get("cols", "").split(",") if c.strip()],
        "scope": request.form.get("scope"),
        "locale": request.form.get("locale"),
        "group_by_model": request.form.get("group") == "model",
    }
    try:
        view = saved_views.save_view(
            db.session, current_user, request.form.get("name", ""), settings
        )
        db.session.commit()
    except InvalidData as invalid:
        db.session.rollback()
        flash(_("The view was not saved: %(reason)s", reason=_sentence(invalid)), "error")
        return redirect(url_for("web.product_list", **_grid_params(request.form)))
    flash(_("Saved the view “%(name)s”.", name=view.name), "success")
    return redirect(url_for("web.product_list", **saved_views.view_params(view)))


@bp.post("/views/<int:view_id>/rename")
def rename_view(view_id: int):
    """Rename one of the user's views."""
    try:
        view = saved_views.rename_view(
            db.session, current_user, view_id, request.form.get("name", "")
        )
        db.session.commit()
    except NotFound:
        abort(404)
    except InvalidData as invalid:
        db.session.rollback()
        flash(_("The view was not renamed: %(reason)s", reason=_sentence(invalid)), "error")
    else:
        flash(_("Renamed the view to “%(name)s”.", name=view.name), "success")
    return redirect(url_for("web.saved_views_page"))


@bp.post("/views/<int:view_id>/delete")
def delete_view(view_id: int):
    """Delete one of the user's views."""
    try:
        view = saved_views.get_view(db.session, current_user, view_id)
        name = view.name
        saved_views.delete_view(db.session, current_user, view_id)
        db.session.commit()
    except NotFound:
        abort(404)
    flash(_("Deleted the view “%(name)s”.", name=name), "success")
    return redirect(url_for("web.saved_views_page"))


def _sentence(invalid: InvalidData) -> str:
    return " ".join(p.message.rstrip(".") + "." for p in invalid.problems) or str(invalid)
