"""Product model pages (read-only for now): own and inherited values, sub-models, variants."""

from __future__ import annotations

from flask import abort, render_template, request
from sqlalchemy import select

from pim.extensions import db
from pim.models import Completeness, Product, ProductModel
from pim.serialize import model_completeness
from pim.services import history, inheritance, product_models
from pim.services.errors import NotFound
from pim.services.structure_cache import Structure
from pim.web import context, editor
from pim.web.blueprint import bp
from pim.web.pages import product_panels


@bp.get("/models/<code>")
def model_page(code: str):
    """A root model or sub-model with its values, children and variant products."""
    try:
        model = product_models.get_model(db.session, code)
    except NotFound:
        abort(404)
    ctx = context.from_args(Structure.current(db.session), request.args)
    return render_template(
        "models/show.html",
        ctx=ctx,
        model=model,
        editor=editor.build(ctx, model, can_edit=False),
        chain=inheritance.ancestors(model.parent),
        children=_children(model),
        variants=_variants(ctx, model),
        completeness=model_completeness(db.session, model),
        versions=history.list_versions(db.session, product_models.RESOURCE, model.id),
        panels=product_panels(model),
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
    locale_id = ctx.structure.locales.get(ctx.locale)
    channel_id = ctx.channel.id if ctx.channel else None
    query = (
        select(Product.identifier, Product.enabled, Completeness.ratio)
        .outerjoin(
            Completeness,
            (Completeness.product_id == Product.id)
            & (Completeness.channel_id == channel_id)
            & (Completeness.locale_id == locale_id),
        )
        .where(Product.parent_id == model.id)
        .order_by(Product.identifier)
    )
    return db.session.execute(query).all()
