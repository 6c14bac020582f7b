"""Product list and product page: show, save values (with conflict detection), workflow
actions, associations, confirming outdated translations, history (compare any two versions,
revert).

The product and product model pages share the helpers at the end of this module (workflow,
associations, history and the page context); :mod:`pim.web.product_models` uses them too.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from pim.extensions import db
from pim.models import Lifecycle, Version, WorkflowStatus
from pim.search.query import SearchSyntaxError
from pim.serialize import completeness_of
from pim.services import history, inheritance, products, translation_review
from pim.services.actors import Actor
from pim.services.errors import ConflictError, InvalidData, NotFound
from pim.services.structure_cache import Structure
from pim.web import context, editor, forms, listing
from pim.web.blueprint import bp
from pim.web.pages import product_panels
from pim.web.security import require


@bp.get("/products")
def product_list():
    """Products, filtered and cut in pages of 50 on a keyset cursor (or grouped under their
    models), with the chosen attribute columns, thumbnails and the user's saved views."""
    ctx = context.from_args(Structure.current(db.session), request.args)
    filters = listing.Filters.from_args(request.args)
    display = listing.Display.from_args(ctx.structure, request.args)
    if "add_col" in request.args:  # the column chooser: add it, keep a clean address
        display = display.adding(listing.added_column(ctx.structure, request.args))
        params = {**filters.params(), **display.params(), **ctx.params()}
        return redirect(url_for("web.product_list", **params))
    error = None
    after = request.args.get("after", type=int)
    before = request.args.get("before", type=int)
    if display.group:
        page = listing.fetch_model_page(db.session, ctx, filters, display, after, before)
    elif filters.searching:
        try:
            page = listing.search_page(db.session, ctx, filters, display)
        except SearchSyntaxError as exc:
            error = str(exc)
            page = listing.SearchPage([], 0, 1, {}, False)
    else:
        page = listing.fetch_page(db.session, ctx, filters, after, before, display)
    return render_template(
        "products/list.html",
        ctx=ctx,
        filters=filters,
        display=display,
        page=page,
        error=error,
        facet_label=listing.facet_label,
        link_params={**filters.params(), **display.params(), **ctx.params()},
        statuses=[s.value for s in WorkflowStatus],
        views=listing.saved_view_links(db.session, current_user),
        can_edit=current_user.can("edit"),
        show_thumbnails=listing.thumbnail_hook() is not None,
    ), (422 if error else 200)


@bp.get("/products/<identifier>")
def product_page(identifier: str):
    """The product: header, values by group, completeness, categories, associations,
    history."""
    product = _product_or_404(identifier)
    return _render_product(page_context(product), product)


@bp.post("/products/<identifier>")
def save_product(identifier: str):
    """Save the edit form; 422 with messages when invalid, 409 when someone saved first.

    Editors save everything the form shows; translators only the values of their locales.
    """
    product = _product_or_404(identifier)
    rights = rights_or_403()
    ctx = page_context(product)
    try:
        expected, payload = editor.submitted(ctx, product, rights, request.form, header=True)
    except forms.InputError as error:
        return _render_product(ctx, product, form=request.form, problems=error.problems), 422
    except forms.FormError as error:
        abort(400, str(error))
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
        changes = conflict_changes(conflict, products.RESOURCE, product.id)
        page = _render_product(ctx, product, form=request.form, changes=changes, conflict=conflict)
        return page, 409
    flash(saved_message(product.identifier, version), "success")
    return redirect(url_for("web.product_page", identifier=product.identifier, **ctx.params()))


@bp.post("/products/<identifier>/versions/<int:number>/revert")
@require("edit")
def revert_product(identifier: str, number: int):
    """Restore the state of an earlier version, recorded as a new version."""
    product = _product_or_404(identifier)
    revert_to(version_or_404(products.RESOURCE, product.id, number))
    return redirect(
        url_for(
            "web.product_page", identifier=product.identifier, _anchor="history", **kept_params()
        )
    )


@bp.post("/products/<identifier>/workflow")
@require("edit")
def product_workflow(identifier: str):
    """Submit for review, approve, reject (with a comment) or reopen the product."""
    product = _product_or_404(identifier)
    actor = Actor.for_user(current_user, "ui")
    apply_workflow(
        product,
        lambda status, comment: products.change_workflow(
            db.session, product, status, actor, comment
        ),
    )
    return redirect(
        url_for("web.product_page", identifier=product.identifier, **kept_params()), code=303
    )


@bp.post("/products/<identifier>/associations")
@require("edit")
def product_associations(identifier: str):
    """Add a target (a product identifier or a model code) to an association type, or
    remove one."""
    product = _product_or_404(identifier)
    actor = Actor.for_user(current_user, "ui")
    apply_association(
        product,
        lambda payload: products.update_product(
            db.session, product, {"associations": payload}, actor
        ),
    )
    return redirect(
        url_for(
            "web.product_page",
            identifier=product.identifier,
            _anchor="associations",
            **kept_params(),
        ),
        code=303,
    )


@bp.post("/products/<identifier>/translations/confirm")
def confirm_product_translations(identifier: str):
    """Mark the posted outdated translations of the product current ("Confirm
    translation", "Confirm all outdated in …"); those inherited from a model are confirmed
    on that model."""
    product = _product_or_404(identifier)
    rights_or_403()
    apply_confirmation(product)
    return redirect(
        url_for(
            "web.product_page", identifier=product.identifier, _anchor="values", **kept_params()
        ),
        code=303,
    )


def _product_or_404(identifier: str):
    try:
        return products.get_product(db.session, identifier)
    except NotFound:
        abort(404)


def _render_product(ctx, product, *, form=None, problems=(), changes=(), conflict=None):
    rights = editor.Rights.of(current_user)
    page = editor.build(ctx, product, rights=rights, form=form, problems=problems, changes=changes)
    chosen = editor.categories_state([c.code for c in product.categories], form, changes)

    def page_url(scope, locale):
        return url_for(
            "web.product_page",
            identifier=product.identifier,
            **ctx.params(scope=scope, locale=locale),
        )

    return render_template(
        "products/show.html",
        **shared_page(ctx, product, products.RESOURCE, page, rights, chosen),
        product=product,
        chain=inheritance.ancestors(product.parent),
        completeness=editor.completeness_rows(
            ctx, page, completeness_of(db.session, product.id), page_url
        ),
        lifecycles=[c.value for c in Lifecycle],
        header=editor.header_state(product, form, changes),
        conflict=conflict,
        changes=changes,
        form=form,
    )


# --- shared by the product and product model pages --------------------------------------


def page_context(item) -> context.ViewContext:
    """The channel, locale and reference locale of the page of ``item``."""
    values = inheritance.effective_values(item)
    return context.for_editor(Structure.current(db.session), request.args, current_user, values)


def kept_params() -> dict:
    """The page's channel and locale choice, to keep in a redirect after a POST."""
    return {k: v for k, v in request.args.items() if k in ("scope", "locale", "compare")}


def rights_or_403() -> editor.Rights:
    """The signed-in user's rights on a product or model; 403 when they may change
    nothing."""
    rights = editor.Rights.of(current_user)
    if not rights.any:
        abort(403)
    return rights


def shared_page(ctx, item, resource: str, page, rights, chosen) -> dict:
    """Template variables common to product and model pages."""
    versions = history.list_versions(db.session, resource, item.id)
    comparison = editor.compare_versions(
        ctx, versions, request.args.get("from", type=int), request.args.get("to", type=int)
    )
    return {
        "ctx": ctx,
        "editor": page,
        "rights": rights,
        "versions": versions,
        "comparison": comparison,
        "history_rows": lambda changes: editor.change_rows(ctx, changes),
        "workflow": editor.workflow_actions(item.workflow_status) if rights.edit else [],
        "category_trees": editor.category_trees(db.session, ctx.locale, chosen),
        "inherited_categories": editor.inherited_categories(item),
        "associations": editor.association_groups(db.session, ctx.locale, item),
        "panels": product_panels(item),
        "translations": editor.review_translations(db.session, ctx, item, page, rights),
    }


def conflict_changes(conflict: ConflictError, resource: str, item_id: int) -> list:
    """The versions saved since the one the user edited (oldest first)."""
    return conflict.changes or history.versions_since(
        db.session, resource, item_id, conflict.expected_version
    )


def saved_message(key: str, version) -> str:
    """The flash message after a save."""
    if version is None:
        return _("Nothing to save: no value was changed.")
    return _("Saved %(key)s (version %(number)s).", key=key, number=version.number)


def version_or_404(resource: str, item_id: int, number: int) -> Version:
    """Version ``number`` of a product or model, else 404."""
    version = db.session.scalar(
        select(Version).where(
            Version.resource_type == resource,
            Version.resource_id == item_id,
            Version.number == number,
        )
    )
    if version is None:
        abort(404)
    return version


def revert_to(version: Version) -> None:
    """Revert to ``version`` (a new version), commit, and flash the outcome."""
    number = version.number
    try:
        new = history.revert(db.session, version, Actor.for_user(current_user, "ui"))
        db.session.commit()
    except InvalidData as invalid:
        db.session.rollback()
        flash(
            _("Could not revert to version %(number)s: %(reason)s", number=number, reason=invalid),
            "error",
        )
    else:
        message = (
            _("Reverted to version %(number)s.", number=number)
            if new
            else _("Already in that state.")
        )
        flash(message, "success")


def apply_workflow(item, change) -> None:
    """Run the workflow action posted for ``item``: ``change(status, comment)`` writes it.

    Refused (with a message) when the item was saved since the page was shown: the
    reviewer decides on what they saw.
    """
    try:
        expected = forms.expected_version(request.form)
        action, comment = editor.workflow_request(request.form, item.workflow_status)
    except forms.FormError as error:
        abort(400, str(error))
    except editor.Refused as refused:
        flash(_("Not changed: %(reason)s.", reason=refused), "error")
        return
    if expected != item.version:
        flash(
            _(
                "Not changed: it was saved by someone else since you opened it (now version "
                "%(number)s). Check the history, then try again.",
                number=item.version,
            ),
            "error",
        )
        return
    try:
        change(action.target, comment)
        db.session.commit()
    except InvalidData as invalid:
        db.session.rollback()
        flash(_("Not changed: %(reason)s", reason=invalid), "error")
        return
    flash(str(action.done), "success")


def apply_association(item, save) -> None:
    """Add or remove the association target posted for ``item``; ``save(payload)`` writes
    the ``associations`` payload."""
    try:
        payload, message = editor.association_change(db.session, item, request.form)
        save(payload)
        db.session.commit()
    except editor.Refused as refused:
        db.session.rollback()
        flash(_("Associations not changed: %(reason)s.", reason=refused), "error")
    except InvalidData as invalid:
        db.session.rollback()
        flash(_("Associations not changed: %(reason)s", reason=invalid), "error")
    else:
        flash(message, "success")


def apply_confirmation(item) -> None:
    """Confirm the translations posted for ``item`` (a product or model) as the signed-in
    user, commit, and flash the outcome."""
    keys, seen = editor.confirm_request(request.form)
    actor = Actor.for_user(current_user, "ui")
    try:
        versions = translation_review.confirm_translations(
            db.session, item, keys, actor, user=current_user, seen=seen
        )
        db.session.commit()
    except translation_review.ReviewRefused as refused:
        db.session.rollback()
        flash(_("Not confirmed: %(reason)s.", reason=refused), "error")
        return
    if not versions:
        flash(_("Nothing to confirm: those translations are not outdated (any more)."), "success")
        return
    count = sum(len(v.changes[translation_review.CHANGE_KEY]["new"]) for v in versions)
    flash(
        ngettext("Confirmed %(num)d translation.", "Confirmed %(num)d translations.", count),
        "success",
    )
    own_code = getattr(item, "code", None)  # a model's; products have none
    for version in versions:
        if version.resource_type == "product_model" and version.resource_key != own_code:
            message = _(
                "Confirmed on the model %(model)s, which holds the value: its variants share "
                "the translation.",
                model=version.resource_key,
            )
            flash(message, "success")
