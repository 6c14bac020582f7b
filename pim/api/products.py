"""``/api/v1/products``: list (cursor, filters), get, create, partial update (upsert),
delete, and NDJSON batch upsert."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from pim.api import API_PREFIX, auth, filters
from pim.api.etags import check_if_match
from pim.api.pagination import decode_cursor, next_url, paginate
from pim.api.resources import (
    NDJSON,
    Resource,
    batch_upsert,
    check_trim_args,
    create,
    documented_errors,
    item_response,
    json_response,
    ndjson_request_body,
    representation,
    upsert,
)
from pim.api.schemas import (
    BatchLineSchema,
    ProductCreateSchema,
    ProductListArgs,
    ProductPageSchema,
    ProductSchema,
    ProductWriteSchema,
    TrimArgs,
)
from pim.extensions import db
from pim.models import Product, ProductModel
from pim.models.catalog import model_category, product_category
from pim.serialize import product_to_standard
from pim.services import bulk, products
from pim.services.structure_cache import Structure

blp = Blueprint(
    "products",
    __name__,
    url_prefix=f"{API_PREFIX}/products",
    description="Products, keyed by identifier, values in the standard format.",
)

RESOURCE = Resource(
    name="product",
    key="identifier",
    model=Product,
    endpoint="products.ProductItem",
    create=products.create_product,
    update=products.update_product,
    delete=products.delete_product,
    to_standard=lambda session, item, completeness: product_to_standard(
        session, item, with_completeness=completeness
    ),
    create_schema=ProductCreateSchema,
    bulk_create=lambda session, payloads, actor, structure: bulk.import_products(
        session, payloads, actor, structure=structure
    ),
)
ETAG_HEADER = {"ETag": {"description": "version of the product", "schema": {"type": "string"}}}


@blp.route("")
class ProductCollection(MethodView):
    accepts = {"PATCH": (NDJSON,)}

    @blp.arguments(ProductListArgs, location="query", unknown=RAISE)
    @blp.response(200, ProductPageSchema)
    @documented_errors(blp, 401, 403, 422)
    def get(self, args):
        """List products

        Ordered by creation (row id), ``limit`` per page; follow ``next``. Filters combine
        (all must hold); ``search`` takes the UI's search syntax.
        """
        session = db.session
        structure = Structure.current(session)
        check_trim_args(structure, args)
        query = filtered(session, structure, args)
        candidates = (
            filters.search_ids(session, args["search"], "product") if args.get("search") else None
        )
        rows, cursor = paginate(
            session,
            query,
            Product.id,
            after=decode_cursor(args.get("cursor")),
            limit=args["limit"],
            candidates=candidates,
        )
        items = [representation(RESOURCE, session, product, args)[0] for product in rows]
        return json_response({"items": items, "next": next_url(cursor)})

    @blp.arguments(ProductCreateSchema)
    @blp.response(201, ProductSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 409, 413, 415, 422)
    def post(self, payload):
        """Create a product

        ``identifier`` is required; 409 when it is taken.
        """
        product = create(RESOURCE, db.session, payload)
        db.session.commit()
        return item_response(RESOURCE, db.session, product, {}, status=201)

    @blp.doc(requestBody=ndjson_request_body("ProductCreate"))
    @blp.response(200, BatchLineSchema, content_type=NDJSON, description="One line per item")
    @documented_errors(blp, 401, 403, 413, 415)
    def patch(self):
        """Upsert products in a batch (NDJSON)

        Each line is a product with its identifier, created or merged like a single PATCH,
        in its own savepoint: a bad line does not affect the others. The answer has one
        line per input line with its ``status_code`` (201, 204, 400, 409, 422) and errors.
        """
        return batch_upsert(RESOURCE, db.session, request.get_data())


@blp.route("/<identifier>")
class ProductItem(MethodView):
    #: translators may PATCH their locales' values (checked in the view), as in the UI
    permissions = {"PATCH": "translate"}

    @blp.arguments(TrimArgs, location="query", unknown=RAISE)
    @blp.response(200, ProductSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 304, 401, 403, 404, 422)
    def get(self, args, identifier):
        """Get a product

        ``locales``, ``scope`` and ``attributes`` trim the values; ``with_completeness``
        adds the stored completeness per channel and locale.
        """
        check_trim_args(Structure.current(db.session), args)
        product = RESOURCE.get_or_404(db.session, identifier)
        return item_response(RESOURCE, db.session, product, args)

    @blp.arguments(ProductWriteSchema)
    @blp.response(200, ProductSchema, headers=ETAG_HEADER, description="Updated (or unchanged)")
    @blp.alt_response(201, schema=ProductSchema, description="Created", headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 409, 412, 413, 415, 422)
    def patch(self, payload, identifier):
        """Update (or create) a product

        Fields given replace the stored ones; ``values`` merge per attribute, locale and
        scope (``data: null`` clears one); ``associations`` merge per type. Send the ETag
        in ``If-Match`` to get 412 rather than overwrite a newer version. The same payload
        twice records no new version.
        """
        session = db.session
        item = RESOURCE.find(session, identifier)
        auth.check_translation(auth.current_user(), Structure.current(session), payload, item)
        expected = check_if_match(item)
        outcome = upsert(RESOURCE, session, identifier, payload, expected_version=expected)
        session.commit()
        return item_response(RESOURCE, session, outcome.item, {}, 201 if outcome.created else 200)

    @blp.response(204, description="Deleted")
    @documented_errors(blp, 401, 403, 404, 412)
    def delete(self, identifier):
        """Delete a product

        History keeps who deleted it and its last state. ``If-Match`` is honoured.
        """
        session = db.session
        product = RESOURCE.get_or_404(session, identifier)
        check_if_match(product)
        RESOURCE.delete(session, product, auth.actor())
        session.commit()
        return "", 204


def filtered(session, structure, args: dict):
    """The products query with the list's filters applied (none is a search)."""
    query = select(Product).options(
        selectinload(Product.family),
        selectinload(Product.categories),
        selectinload(Product.parent).selectinload(ProductModel.parent),
    )
    if args.get("updated_since"):
        query = query.where(_updated_since(args["updated_since"]))
    if args.get("family"):
        query = query.where(Product.family_id == filters.family_id(structure, args["family"]))
    if args.get("categories"):
        query = query.where(_in_categories(session, args["categories"]))
    if args.get("status"):
        query = query.where(Product.workflow_status == args["status"])
    if args.get("enabled") is not None:
        query = query.where(Product.enabled.is_(args["enabled"]))
    if args.get("completeness"):
        query = query.where(
            filters.completeness_clause(structure, Product.id, args["completeness"])
        )
    return query


def _updated_since(since):
    """Products changed since ``since``, and variants whose model (or root model) changed:
    their effective values changed too."""
    models = select(ProductModel.id).where(ProductModel.updated_at >= since)
    changed_models = select(ProductModel.id).where(
        or_(ProductModel.id.in_(models), ProductModel.parent_id.in_(models))
    )
    return or_(Product.updated_at >= since, Product.parent_id.in_(changed_models))


def _in_categories(session, codes: list[str]):
    """Products classified in these categories or below, themselves or through a model."""
    subtree = filters.category_subtree(session, codes)
    models = select(model_category.c.model_id).where(model_category.c.category_id.in_(subtree))
    own = select(product_category.c.product_id).where(product_category.c.category_id.in_(subtree))
    parents = select(ProductModel.id).where(
        or_(ProductModel.id.in_(models), ProductModel.parent_id.in_(models))
    )
    return or_(Product.id.in_(own), Product.parent_id.in_(parents))
