"""Product model pages: own values (editable like a product's, with conflict detection),
inherited values, sub-models, the variants matrix, workflow, associations and history.

The variants matrix lays out the variant products below a model by their axis values
(colour × size): existing variants link to their page, missing combinations are created
with a button (:func:`pim.services.product_models.create_variant`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from pim.extensions import db
from pim.models import Completeness, Product, ProductModel
from pim.serialize import model_completeness
from pim.services import completeness, inheritance, product_models
from pim.services.actors import Actor
from pim.services.errors import ConflictError, InvalidData, NotFound
from pim.services.structure_cache import AttrSpec
from pim.web import editor, forms
from pim.web.blueprint import bp
from pim.web.display import label_of
from pim.web.products import (
    apply_association,
    apply_confirmation,
    apply_workflow,
    conflict_changes,
    kept_params,
    page_context,
    revert_to,
    rights_or_403,
    saved_message,
    shared_page,
    version_or_404,
)
from pim.web.security import require

AXIS_PREFIX = "axis."


@bp.get("/models/<code>")
def model_page(code: str):
    """A root model or sub-model with its values, children and variant products."""
    model = _model_or_404(code)
    return _render_model(page_context(model), model)


@bp.post("/models/<code>")
def save_model(code: str):
    """Save the model's own values and categories; 422 when invalid, 409 when someone
    saved first (their changes are listed, the user's input kept)."""
    model = _model_or_404(code)
    rights = rights_or_403()
    ctx = page_context(model)
    try:
        expected, payload = editor.submitted(ctx, model, rights, request.form, header=False)
    except forms.InputError as error:
        return _render_model(ctx, model, form=request.form, problems=error.problems), 422
    except forms.FormError as error:
        abort(400, str(error))
    actor = Actor.for_user(current_user, "ui")
    try:
        version = product_models.update_model(
            db.session, model, payload, actor, expected_version=expected, structure=ctx.structure
        )
        db.session.commit()
    except InvalidData as invalid:
        db.session.rollback()
        return _render_model(ctx, model, form=request.form, problems=invalid.problems), 422
    except ConflictError as conflict:
        db.session.rollback()
        changes = conflict_changes(conflict, product_models.RESOURCE, model.id)
        return _render_model(ctx, model, form=request.form, changes=changes, conflict=conflict), 409
    flash(saved_message(model.code, version), "success")
    return redirect(url_for("web.model_page", code=model.code, **ctx.params()))


@bp.post("/models/<code>/versions/<int:number>/revert")
@require("edit")
def revert_model(code: str, number: int):
    """Restore the state of an earlier version of the model, recorded as a new version."""
    model = _model_or_404(code)
    revert_to(version_or_404(product_models.RESOURCE, model.id, number))
    return redirect(url_for("web.model_page", code=model.code, _anchor="history", **kept_params()))


@bp.post("/models/<code>/workflow")
@require("edit")
def model_workflow(code: str):
    """Submit the model for review, approve, reject (with a comment) or reopen it."""
    model = _model_or_404(code)
    actor = Actor.for_user(current_user, "ui")
    apply_workflow(
        model,
        lambda status, comment: product_models.change_model_workflow(
            db.session, model, status, actor, comment
        ),
    )
    return redirect(url_for("web.model_page", code=model.code, **kept_params()), code=303)


@bp.post("/models/<code>/associations")
@require("edit")
def model_associations(code: str):
    """Add or remove an association target of the model."""
    model = _model_or_404(code)
    actor = Actor.for_user(current_user, "ui")
    apply_association(
        model,
        lambda payload: product_models.update_model(
            db.session, model, {"associations": payload}, actor
        ),
    )
    return redirect(
        url_for("web.model_page", code=model.code, _anchor="associations", **kept_params()),
        code=303,
    )


@bp.post("/models/<code>/translations/confirm")
def confirm_model_translations(code: str):
    """Mark the posted outdated translations of the model current (those inherited from a
    parent model are confirmed on it)."""
    model = _model_or_404(code)
    rights_or_403()
    apply_confirmation(model)
    return redirect(
        url_for("web.model_page", code=model.code, _anchor="values", **kept_params()), code=303
    )


@bp.post("/models/<code>/variants")
@require("edit")
def create_model_variant(code: str):
    """Create the variant with the posted axis values (``axis.<attribute>``), and its
    sub-model when missing: the empty cells of the variants matrix."""
    model = _model_or_404(code)
    axis_values = {
        name[len(AXIS_PREFIX) :]: value
        for name, value in request.form.items()
        if name.startswith(AXIS_PREFIX) and value
    }
    try:
        product = product_models.create_variant(
            db.session, model, axis_values, Actor.for_user(current_user, "ui")
        )
        db.session.commit()
    except InvalidData as invalid:
        db.session.rollback()
        flash(_("No variant created: %(reason)s", reason=invalid), "error")
    else:
        flash(_("Created the variant %(identifier)s.", identifier=product.identifier), "success")
    return redirect(
        url_for("web.model_page", code=model.code, _anchor="variants", **kept_params()), code=303
    )


def _model_or_404(code: str) -> ProductModel:
    try:
        return product_models.get_model(db.session, code)
    except NotFound:
        abort(404)


def _render_model(ctx, model, *, form=None, problems=(), changes=(), conflict=None):
    rights = editor.Rights.of(current_user)
    page = editor.build(ctx, model, rights=rights, form=form, problems=problems, changes=changes)
    chosen = editor.categories_state([c.code for c in model.categories], form, changes)
    children = _children(model)

    def page_url(scope, locale):
        return url_for("web.model_page", code=model.code, **ctx.params(scope=scope, locale=locale))

    return render_template(
        "models/show.html",
        **shared_page(ctx, model, product_models.RESOURCE, page, rights, chosen),
        model=model,
        chain=inheritance.ancestors(model.parent),
        children=children,
        variants=_variants(ctx, model),
        matrix=variant_matrix(ctx, model, children),
        missing=editor.completeness_rows(ctx, page, _missing_here(ctx, model), page_url),
        completeness=model_completeness(db.session, model),
        conflict=conflict,
        changes=changes,
        form=form,
    )


def _children(model: ProductModel) -> list[ProductModel]:
    return list(
        db.session.scalars(
            select(ProductModel)
            .where(ProductModel.parent_id == model.id)
            .order_by(ProductModel.code)
        )
    )


def _variants(ctx, model: ProductModel) -> list[tuple]:
    """(identifier, enabled, ratio for the chosen channel and locale) of the variant products
    directly below ``model`` (one query)."""
    return [row[:3] for row in _variant_rows(ctx, [model.id])]


def _variant_rows(ctx, parent_ids: list[int]) -> list[tuple]:
    """(identifier, enabled, ratio, parent id, own values) of the products below the given
    models, with their completeness for the chosen channel and locale (one query)."""
    locale_id = ctx.structure.locales.get(ctx.locale)
    channel_id = ctx.channel.id if ctx.channel else None
    query = (
        select(
            Product.identifier,
            Product.enabled,
            Completeness.ratio,
            Product.parent_id,
            Product.values,
        )
        .outerjoin(
            Completeness,
            (Completeness.product_id == Product.id)
            & (Completeness.channel_id == channel_id)
            & (Completeness.locale_id == locale_id),
        )
        .where(Product.parent_id.in_(parent_ids))
        .order_by(Product.identifier)
    )
    return db.session.execute(query).all()


def _missing_here(ctx, model: ProductModel) -> list[dict]:
    """Per channel and locale, the required values the model level (or a level above it)
    owns and that are empty: what to fill in on this page or the parent's."""
    structure = ctx.structure
    variant = structure.family_variants[model.family_variant.code]
    below = set().union(*(variant.owned.get(lv, ()) for lv in range(model.level + 1, 3)))
    results = completeness.compute(structure, variant.family, inheritance.effective_values(model))
    return [
        {
            "channel": r.channel,
            "locale": r.locale,
            "ratio": None,
            "missing": [code for code in r.missing if code not in below],
        }
        for r in results
    ]


# --- the variants matrix -------------------------------------------------------------------


@dataclass
class Cell:
    """One combination of axis values (row value first): its variant, if any."""

    values: tuple
    identifier: str | None = None
    enabled: bool = True
    ratio: int | None = None


@dataclass
class MatrixRow:
    """A value of the row axis (None: the matrix has one row), with its sub-model."""

    value: str | None
    label: str
    model: str | None
    cells: list[Cell]


@dataclass
class Matrix:
    """Variants by their axis values: rows × columns of option codes."""

    row_axis: AttrSpec | None
    col_axis: AttrSpec
    columns: list[tuple[str, str]]
    rows: list[MatrixRow]
    #: row-axis options that have no row yet (a new colour can be started from them)
    other_rows: list[tuple[str, str]]


def variant_matrix(ctx, model: ProductModel, children: list[ProductModel]) -> Matrix | None:
    """The :class:`Matrix` of ``model``, when the axes below it are one or two simple
    selects (else None: the variants are only listed)."""
    structure = ctx.structure
    variant = structure.family_variants[model.family_variant.code]
    axes = [
        structure.attributes[code]
        for level in range(model.level + 1, variant.levels + 1)
        for code in variant.axes.get(level, ())
    ]
    if not 1 <= len(axes) <= 2 or any(a.type != "simple_select" for a in axes):
        return None
    row_axis, col_axis = (axes[0], axes[1]) if len(axes) == 2 else (None, axes[0])
    found = _found_variants(ctx, model, children, axes)
    columns = _options(ctx, col_axis)
    if row_axis is None:
        rows = [MatrixRow(None, "", model.code, _cells(found, (), columns))]
        return Matrix(None, col_axis, columns, rows, [])
    sub_models = {_axis_value(child.values, row_axis.code): child.code for child in children}
    used = {key[0] for key in found} | set(sub_models)
    rows, others = [], []
    for value, label in _options(ctx, row_axis):
        if value in used:
            cells = _cells(found, (value,), columns)
            rows.append(MatrixRow(value, label, sub_models.get(value), cells))
        else:
            others.append((value, label))
    return Matrix(row_axis, col_axis, columns, rows, others)


def _found_variants(ctx, model: ProductModel, children, axes: list[AttrSpec]) -> dict:
    """Axis values (in the order of ``axes``, the sub-model's included) → (identifier,
    enabled, ratio) of the variants below ``model``."""
    parents = {model.id: model.values or {}, **{c.id: c.values or {} for c in children}}
    found: dict = {}
    for identifier, enabled, ratio, parent_id, values in _variant_rows(ctx, list(parents)):
        merged = inheritance.merge_values(parents[parent_id], values or {})
        key = tuple(_axis_value(merged, axis.code) for axis in axes)
        found.setdefault(key, (identifier, enabled, ratio))
    return found


def _cells(found: dict, row_key: tuple, columns) -> list[Cell]:
    cells = []
    for value, _label in columns:
        cell = Cell((*row_key, value))
        hit = found.get((*row_key, value))
        if hit:
            cell.identifier, cell.enabled, cell.ratio = hit
        cells.append(cell)
    return cells


def _options(ctx, attr: AttrSpec) -> list[tuple[str, str]]:
    return [(code, label_of(labels, ctx.locale, code)) for code, labels in attr.options.items()]


def _axis_value(values: dict | None, code: str):
    entries = (values or {}).get(code) or ()
    return entries[0]["data"] if entries else None
