"""Product list and product page: show, save values, revert to a version."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from pim.extensions import db
from pim.models import WORKFLOW_TRANSITIONS, Lifecycle, Version, WorkflowStatus
from pim.search.query import SearchSyntaxError
from pim.serialize import completeness_of
from pim.services import history, inheritance, products
from pim.services.actors import Actor
from pim.services.errors import ConflictError, InvalidData, NotFound
from pim.services.structure_cache import Structure
from pim.web import context, editor, forms, listing
from pim.web.blueprint import bp
from pim.web.pages import product_panels
from pim.web.security import require


@bp.get("/products")
def product_list():
    """Products, filtered and cut in pages of 50 on a keyset cursor."""
    ctx = context.from_args(Structure.current(db.session), request.args)
    filters = listing.Filters.from_args(request.args)
    error = None
    if filters.searching:
        try:
            page = listing.search_page(db.session, ctx, filters)
        except SearchSyntaxError as exc:
            error = str(exc)
            page = listing.SearchPage([], 0, 1, {}, False)
    else:
        after = request.args.get("after", type=int)
        before = request.args.get("before", type=int)
        page = listing.fetch_page(db.session, ctx, filters, after=after, before=before)
    return render_template(
        "products/list.html",
        ctx=ctx,
        filters=filters,
        page=page,
        error=error,
        facet_label=listing.facet_label,
        link_params={**filters.params(), **ctx.params()},
        statuses=[s.value for s in WorkflowStatus],
    ), (422 if error else 200)


@bp.get("/products/<identifier>")
def product_page(identifier: str):
    """The product: header, values by group, completeness and history."""
    product = _product_or_404(identifier)
    ctx = context.from_args(Structure.current(db.session), request.args)
    return _render_product(ctx, product)


@bp.post("/products/<identifier>")
@require("edit")
def save_product(identifier: str):
    """Save the edit form; 422 with messages when invalid, 409 when someone saved first."""
    product = _product_or_404(identifier)
    ctx = context.from_args(Structure.current(db.session), request.args)
    expected, payload = _submitted(ctx, product)
    actor = Actor.for_user(current_user, "ui")
    try:
        version = products.update_product(
            db.session, product, payload, actor, expected_version=expected, structure=ctx.structure
        )
        db.session.commit()
    except InvalidData as invalid:
        db.session.rollback()
        return _render_product(ctx, product, form=request.form, problems=invalid.problems), 422
    except ConflictError as conflict:
        db.session.rollback()
        return _render_conflict(ctx, product, conflict, expected)
    flash(_saved_message(product, version), "success")
    return redirect(url_for("web.product_page", identifier=product.identifier, **ctx.params()))


def _submitted(ctx, product) -> tuple[int, dict]:
    """The version the user edited and the payload of their form (400 when malformed)."""
    try:
        expected = forms.expected_version(request.form)
    except forms.FormError as error:
        abort(400, str(error))
    page = editor.build(ctx, product, can_edit=True)
    payload = forms.header_payload(request.form)
    payload["values"] = forms.values_payload(
        request.form, page.editable, product.values or {}, page.currencies
    )
    return expected, payload


@bp.post("/products/<identifier>/versions/<int:number>/revert")
@require("edit")
def revert_product(identifier: str, number: int):
    """Restore the state of an earlier version, recorded as a new version."""
    product = _product_or_404(identifier)
    version = _version_or_404(product, number)
    try:
        new = history.revert(db.session, version, Actor.for_user(current_user, "ui"))
        db.session.commit()
    except InvalidData as invalid:
        db.session.rollback()
        flash(f"Could not revert to version {number}: {invalid}", "error")
    else:
        message = f"Reverted to version {number}." if new else "Already in that state."
        flash(message, "success")
    params = {k: v for k, v in request.args.items() if k in ("scope", "locale")}
    return redirect(url_for("web.product_page", identifier=product.identifier, **params))


def _product_or_404(identifier: str):
    try:
        return products.get_product(db.session, identifier)
    except NotFound:
        abort(404)


def _version_or_404(product, number: int) -> Version:
    version = db.session.scalar(
        select(Version).where(
            Version.resource_type == products.RESOURCE,
            Version.resource_id == product.id,
            Version.number == number,
        )
    )
    if version is None:
        abort(404)
    return version


def _saved_message(product, version) -> str:
    if version is None:
        return "Nothing to save: no value was changed."
    return f"Saved {product.identifier} (version {version.number})."


def _render_conflict(ctx, product, conflict: ConflictError, expected: int):
    """409: the user's input kept, what others changed listed, the form on the new version."""
    changes = conflict.changes or history.versions_since(
        db.session, products.RESOURCE, product.id, expected
    )
    return (
        _render_product(ctx, product, form=request.form, changes=changes, conflict=conflict),
        409,
    )


def _render_product(ctx, product, *, form=None, problems=(), changes=(), conflict=None):
    page = editor.build(
        ctx,
        product,
        can_edit=current_user.can("edit"),
        form=form,
        problems=problems,
        changes=changes,
    )
    return render_template(
        "products/show.html",
        ctx=ctx,
        product=product,
        editor=page,
        chain=inheritance.ancestors(product.parent),
        completeness=completeness_of(db.session, product.id),
        versions=history.list_versions(db.session, products.RESOURCE, product.id),
        workflow_choices=_workflow_choices(product.workflow_status),
        lifecycles=[c.value for c in Lifecycle],
        header=editor.header_state(product, form, changes),
        conflict=conflict,
        changes=changes,
        form=form,
        panels=product_panels(product),
    )


def _workflow_choices(current: str) -> list[str]:
    """The current status and those it may move to."""
    allowed = WORKFLOW_TRANSITIONS.get(WorkflowStatus(current), set())
    return [s.value for s in WorkflowStatus if s.value == current or s in allowed]
