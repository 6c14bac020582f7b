"""``/api/v1/product-models``: root models and sub-models, keyed by code; list, get,
create, partial update (upsert), delete (with their sub-models and variants), and NDJSON
batch upsert."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased, selectinload

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
    ProductModelCreateSchema,
    ProductModelListArgs,
    ProductModelPageSchema,
    ProductModelSchema,
    ProductModelWriteSchema,
    TrimArgs,
)
from pim.extensions import db
from pim.models import FamilyVariant, ProductModel
from pim.models.catalog import model_category
from pim.serialize import model_to_standard
from pim.services import bulk, product_models
from pim.services.structure_cache import Structure

blp = Blueprint(
    "product-models",
    __name__,
    url_prefix=f"{API_PREFIX}/product-models",
    description="Product models (root models and sub-models), keyed by code.",
)

RESOURCE = Resource(
    name="product model",
    key="code",
    model=ProductModel,
    endpoint="product-models.ProductModelItem",
    create=product_models.create_model,
    update=product_models.update_model,
    delete=product_models.delete_model,
    to_standard=lambda session, item, completeness: model_to_standard(
        session, item, with_completeness=completeness
    ),
    create_schema=ProductModelCreateSchema,
    bulk_create=lambda session, payloads, actor, structure: bulk.import_product_models(
        session, payloads, actor, structure=structure
    ),
)
ETAG_HEADER = {"ETag": {"description": "version of the model", "schema": {"type": "string"}}}


@blp.route("")
class ProductModelCollection(MethodView):
    accepts = {"PATCH": (NDJSON,)}

    @blp.arguments(ProductModelListArgs, location="query", unknown=RAISE)
    @blp.response(200, ProductModelPageSchema)
    @documented_errors(blp, 401, 403, 422)
    def get(self, args):
        """List product models

        Ordered by creation (row id), ``limit`` per page; follow ``next``.
        """
        session = db.session
        structure = Structure.current(session)
        check_trim_args(structure, args)
        query = filtered(session, structure, args)
        candidates = (
            filters.search_ids(session, args["search"], "model") if args.get("search") else None
        )
        rows, cursor = paginate(
            session,
            query,
            ProductModel.id,
            after=decode_cursor(args.get("cursor")),
            limit=args["limit"],
            candidates=candidates,
        )
        items = [representation(RESOURCE, session, model, args)[0] for model in rows]
        return json_response({"items": items, "next": next_url(cursor)})

    @blp.arguments(ProductModelCreateSchema)
    @blp.response(201, ProductModelSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 409, 413, 415, 422)
    def post(self, payload):
        """Create a product model

        A root model names its ``family_variant``; a sub-model its ``parent``.
        """
        model = create(RESOURCE, db.session, payload)
        db.session.commit()
        return item_response(RESOURCE, db.session, model, {}, status=201)

    @blp.doc(requestBody=ndjson_request_body("ProductModelCreate"))
    @blp.response(200, BatchLineSchema, content_type=NDJSON, description="One line per item")
    @documented_errors(blp, 401, 403, 413, 415)
    def patch(self):
        """Upsert product models in a batch (NDJSON)

        One model per line, each in its own savepoint; one status line per input line.
        Put root models before their sub-models.
        """
        return batch_upsert(RESOURCE, db.session, request.get_data())


@blp.route("/<code>")
class ProductModelItem(MethodView):
    #: translators may PATCH their locales' values (checked in the view), as in the UI
    permissions = {"PATCH": "translate"}

    @blp.arguments(TrimArgs, location="query", unknown=RAISE)
    @blp.response(200, ProductModelSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 304, 401, 403, 404, 422)
    def get(self, args, code):
        """Get a product model

        ``values`` are its own and those inherited from its root model.
        """
        check_trim_args(Structure.current(db.session), args)
        model = RESOURCE.get_or_404(db.session, code)
        return item_response(RESOURCE, db.session, model, args)

    @blp.arguments(ProductModelWriteSchema)
    @blp.response(200, ProductModelSchema, headers=ETAG_HEADER, description="Updated")
    @blp.alt_response(201, schema=ProductModelSchema, description="Created", headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 409, 412, 413, 415, 422)
    def patch(self, payload, code):
        """Update (or create) a product model

        Same merge rules as products; ``family_variant`` and ``parent`` cannot change.
        """
        session = db.session
        item = RESOURCE.find(session, code)
        auth.check_translation(auth.current_user(), Structure.current(session), payload, item)
        expected = check_if_match(item)
        outcome = upsert(RESOURCE, session, code, payload, expected_version=expected)
        session.commit()
        return item_response(RESOURCE, session, outcome.item, {}, 201 if outcome.created else 200)

    @blp.response(204, description="Deleted")
    @documented_errors(blp, 401, 403, 404, 412)
    def delete(self, code):
        """Delete a product model with its sub-models and variants

        A version records each deletion. ``If-Match`` is honoured.
        """
        session = db.session
        model = RESOURCE.get_or_404(session, code)
        check_if_match(model)
        RESOURCE.delete(session, model, auth.actor())
        session.commit()
        return "", 204


def filtered(session, structure, args: dict):
    """The models query with the list's filters applied (none is a search)."""
    query = select(ProductModel).options(
        selectinload(ProductModel.family_variant).selectinload(FamilyVariant.family),
        selectinload(ProductModel.categories),
        selectinload(ProductModel.parent),
    )
    if args.get("updated_since"):
        # a sub-model's effective values change with its root model's
        since = args["updated_since"]
        root = aliased(ProductModel)
        roots = select(root.id).where(root.updated_at >= since)
        query = query.where(
            or_(ProductModel.updated_at >= since, ProductModel.parent_id.in_(roots))
        )
    if args.get("family"):
        family_id = filters.family_id(structure, args["family"])
        variants = select(FamilyVariant.id).where(FamilyVariant.family_id == family_id)
        query = query.where(ProductModel.family_variant_id.in_(variants))
    if args.get("categories"):
        subtree = filters.category_subtree(session, args["categories"])
        own = select(model_category.c.model_id).where(model_category.c.category_id.in_(subtree))
        query = query.where(ProductModel.id.in_(own) | ProductModel.parent_id.in_(own))
    if args.get("status"):
        query = query.where(ProductModel.workflow_status == args["status"])
    return query
