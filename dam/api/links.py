"""``/api/v1/assets/{id}/links``: where an asset is shown, and one link per product or
product model at ``…/links/products/{identifier}`` or ``…/links/product-models/{code}``
(PUT creates or changes it, DELETE removes it). :mod:`dam.services.links` keeps the
owner's asset collection values in step, as in the media panel."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import RAISE
from sqlalchemy import select

from dam.api.common import asset_or_404, blp
from dam.api.schemas import LinkPageSchema, LinkSchema, LinkWriteSchema, PageArgs
from dam.models import AssetLink
from dam.services import links, uploads
from pim.api import auth
from pim.api.pagination import decode_cursor, next_url, paginate
from pim.api.problems import ApiError
from pim.api.resources import documented_errors, json_response
from pim.extensions import db
from pim.models import Product, ProductModel
from pim.services.errors import NotFound

#: URL segment → owner type (as the representation names it).
OWNER_SEGMENTS = {"products": "product", "product-models": "product_model"}


@blp.route("/<int:asset_id>/links")
class AssetLinks(MethodView):
    @blp.arguments(PageArgs, location="query", unknown=RAISE)
    @blp.response(200, LinkPageSchema)
    @documented_errors(blp, 401, 403, 404, 422)
    def get(self, args, asset_id):
        """List an asset's links

        The products and product models showing the asset, with role, position and the
        asset collection attribute each link fills; in the order they were made.
        """
        session = db.session
        asset = asset_or_404(session, asset_id)
        query = select(AssetLink).where(AssetLink.asset_id == asset.id)
        rows, cursor = paginate(
            session,
            query,
            AssetLink.id,
            after=decode_cursor(args.get("cursor")),
            limit=args["limit"],
        )
        return json_response({"items": link_docs(session, rows), "next": next_url(cursor)})


@blp.route("/<int:asset_id>/links/<owner_type>/<key>")
class AssetLinkItem(MethodView):
    @blp.arguments(LinkWriteSchema)
    @blp.response(200, LinkSchema, description="Changed (or unchanged)")
    @blp.alt_response(201, schema=LinkSchema, description="Linked")
    @documented_errors(blp, 401, 403, 404, 413, 415, 422)
    def put(self, payload, asset_id, owner_type, key):
        """Link an asset to a product or product model

        ``owner_type`` is ``products`` or ``product-models``. Creates the link or sets its
        ``role`` (default gallery; one main per owner), ``position`` (default: kept) and
        ``attribute``. The same body twice changes nothing. A product or model that does
        not exist is a 422 naming it.
        """
        session = db.session
        asset = asset_or_404(session, asset_id)
        kind = _owner_kind(owner_type)
        try:
            owner = uploads.find_owner(session, kind, _plain(key))
        except NotFound as missing:
            raise ApiError(
                422,
                f"{missing}; nothing was linked.",
                errors=[{"field": "owner", "message": str(missing)}],
            ) from None
        created = not any(_owned_by(item, owner) for item in asset.links)
        try:
            link = links.link(
                session,
                asset,
                owner,
                role=payload["role"],
                position=payload.get("position"),
                attribute=payload.get("attribute", ""),
                actor=auth.actor(),
            )
        except links.LinkRefused as refused:
            raise ApiError(
                422, f"{refused}.", errors=[{"field": None, "message": str(refused)}]
            ) from None
        session.commit()
        return json_response(link_docs(session, [link])[0], 201 if created else 200)

    @blp.response(204, description="Unlinked")
    @documented_errors(blp, 401, 403, 404)
    def delete(self, asset_id, owner_type, key):
        """Unlink an asset from a product or product model

        404 when they were not linked.
        """
        session = db.session
        asset = asset_or_404(session, asset_id)
        kind = _owner_kind(owner_type)
        try:
            owner = uploads.find_owner(session, kind, _plain(key))
        except NotFound as missing:
            raise ApiError(404, f"{missing}.") from None
        if not links.unlink(session, asset, owner, actor=auth.actor()):
            raise ApiError(404, f"asset {asset.id} is not linked to {links.owner_name(owner)}.")
        session.commit()
        return "", 204


def link_docs(session, rows: list[AssetLink]) -> list[dict]:
    """Links as the API shows them, with their owners' identifiers or codes."""
    product_ids = {row.product_id for row in rows if row.product_id}
    model_ids = {row.product_model_id for row in rows if row.product_model_id}
    identifiers = dict(
        session.execute(
            select(Product.id, Product.identifier).where(Product.id.in_(product_ids))
        ).all()
    )
    codes = dict(
        session.execute(
            select(ProductModel.id, ProductModel.code).where(ProductModel.id.in_(model_ids))
        ).all()
    )
    return [
        {
            "owner_type": "product" if row.product_id else "product_model",
            "owner": identifiers[row.product_id] if row.product_id else codes[row.product_model_id],
            "role": row.role,
            "position": row.position,
            "attribute": row.attribute,
        }
        for row in rows
    ]


def _owner_kind(segment: str) -> str:
    kind = OWNER_SEGMENTS.get(segment)
    if kind is None:
        raise ApiError(404, f"links are under {' or '.join(OWNER_SEGMENTS)}, not {segment!r}.")
    return kind


def _plain(key: str) -> str:
    """The key, or 404 for one no item can have (NUL cannot be stored)."""
    if "\x00" in key:
        raise ApiError(404, "No item has a key with a NUL byte.")
    return key


def _owned_by(link: AssetLink, owner) -> bool:
    if isinstance(owner, Product):
        return link.product_id == owner.id
    return link.product_model_id == owner.id
