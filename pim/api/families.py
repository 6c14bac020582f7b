"""``/api/v1/families`` and ``/api/v1/families/{family}/variants``: families (attributes,
label and image attribute, requirements per channel) and their family variants (levels
with axes and owned attributes), keyed by code.

Reading needs ``read``; every write needs ``configure``. A family's change recomputes the
completeness of its products (the service does it in the same transaction).
"""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pim.api import API_PREFIX, auth
from pim.api.problems import ApiError
from pim.api.resources import documented_errors
from pim.api.structure_schemas import (
    FamilyCreateSchema,
    FamilyPageSchema,
    FamilySchema,
    FamilyVariantCreateSchema,
    FamilyVariantPageSchema,
    FamilyVariantSchema,
    FamilyVariantWriteSchema,
    FamilyWriteSchema,
    StructureListArgs,
)
from pim.api.structured import (
    CONFIGURE,
    ETAG_HEADER,
    Entity,
    check_if_match,
    check_key,
    find,
    page,
    refusal_is_conflict,
    respond,
    search_clause,
)
from pim.extensions import db
from pim.models import Family, FamilyRequirement, FamilyVariant, FamilyVariantAttribute
from pim.services import structure

blp = Blueprint(
    "families",
    __name__,
    url_prefix=f"{API_PREFIX}/families",
    description="Families and their family variants, keyed by code.",
)


FAMILY = Entity(
    name="family",
    model=Family,
    state=structure.family_state,
    endpoint="families.FamilyItem",
    create=structure.create_family,
    update=structure.update_family,
    delete=structure.delete_family,
)


@blp.route("")
class FamilyCollection(MethodView):
    permissions = CONFIGURE

    @blp.arguments(StructureListArgs, location="query", unknown=RAISE)
    @blp.response(200, FamilyPageSchema)
    @documented_errors(blp, 401, 403, 422)
    def get(self, args):
        """List families

        In creation order; ``search`` looks in codes and labels.
        """
        query = select(Family).options(
            selectinload(Family.attributes),
            selectinload(Family.requirements).selectinload(FamilyRequirement.attribute),
            selectinload(Family.requirements).selectinload(FamilyRequirement.channel),
            selectinload(Family.label_attribute),
            selectinload(Family.image_attribute),
        )
        if args.get("search"):
            query = query.where(search_clause(args["search"], Family.code, Family.labels))
        return FAMILY.page(query, args)

    @blp.arguments(FamilyCreateSchema)
    @blp.response(201, FamilySchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 409, 413, 415, 422)
    def post(self, payload):
        """Create a family

        ``attributes`` lists its attributes (the identifier is always added);
        ``requirements`` maps channel codes to the attributes required for completeness.
        """
        return FAMILY.post(payload)


@blp.route("/<code>")
class FamilyItem(MethodView):
    permissions = CONFIGURE

    @blp.response(200, FamilySchema, headers=ETAG_HEADER)
    @documented_errors(blp, 304, 401, 403, 404)
    def get(self, code):
        """Get a family"""
        return FAMILY.respond(FAMILY.get(code))

    @blp.arguments(FamilyWriteSchema)
    @blp.response(200, FamilySchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 404, 412, 413, 415, 422)
    def patch(self, payload, code):
        """Update a family

        ``attributes`` replaces the list (requirements on removed attributes go too);
        ``requirements`` replaces those of the channels it names. Completeness of the
        family's products is recomputed; the same payload twice records no new version.
        """
        return FAMILY.patch(code, payload)

    @blp.response(204, description="Deleted")
    @documented_errors(blp, 401, 403, 404, 409, 412)
    def delete(self, code):
        """Delete a family with its variants

        409 while products or product models belong to it.
        """
        return FAMILY.remove(code)


# --- family variants -----------------------------------------------------------------------


def _variant(family: Family, code: str) -> FamilyVariant:
    fv = find(db.session, FamilyVariant, code)
    if fv is None or fv.family_id != family.id:
        raise ApiError(404, f"family {family.code!r} has no variant {code!r}.")
    return fv


def _respond_variant(fv: FamilyVariant, status: int = 200):
    location = None
    if status == 201:
        location = url_for("families.FamilyVariantItem", code=fv.family.code, variant=fv.code)
    return respond(fv.id, structure.family_variant_state(fv), status, location)


@blp.route("/<code>/variants")
class FamilyVariantCollection(MethodView):
    permissions = CONFIGURE

    @blp.arguments(StructureListArgs, location="query", unknown=RAISE)
    @blp.response(200, FamilyVariantPageSchema)
    @documented_errors(blp, 401, 403, 404, 422)
    def get(self, args, code):
        """List the variants of a family"""
        family = FAMILY.get(code)
        query = (
            select(FamilyVariant)
            .where(FamilyVariant.family_id == family.id)
            .options(
                selectinload(FamilyVariant.attribute_sets).selectinload(
                    FamilyVariantAttribute.attribute
                )
            )
        )
        if args.get("search"):
            clause = search_clause(args["search"], FamilyVariant.code, FamilyVariant.labels)
            query = query.where(clause)
        return page(db.session, query, FamilyVariant.id, args, structure.family_variant_state)

    @blp.arguments(FamilyVariantCreateSchema)
    @blp.response(201, FamilyVariantSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 404, 409, 413, 415, 422)
    def post(self, payload, code):
        """Create a family variant

        One or two levels, each with at least one axis (a non-localizable, non-scopable
        select, boolean, number or metric attribute of the family) and the attributes it
        owns; the others belong to the root model.
        """
        family = FAMILY.get(code)
        check_key(payload, code, field="family")
        if find(db.session, FamilyVariant, payload["code"]) is not None:
            raise ApiError(409, f"family variant {payload['code']!r} already exists.")
        fv = structure.create_family_variant(
            db.session, {**payload, "family": family.code}, auth.actor()
        )
        db.session.commit()
        return _respond_variant(fv, 201)


@blp.route("/<code>/variants/<variant>")
class FamilyVariantItem(MethodView):
    permissions = CONFIGURE

    @blp.response(200, FamilyVariantSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 304, 401, 403, 404)
    def get(self, code, variant):
        """Get a family variant"""
        return _respond_variant(_variant(FAMILY.get(code), variant))

    @blp.arguments(FamilyVariantWriteSchema)
    @blp.response(200, FamilyVariantSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 404, 412, 413, 415, 422)
    def patch(self, payload, code, variant):
        """Update a family variant

        Labels always; the levels only while no product model uses the variant.
        """
        fv = _variant(FAMILY.get(code), variant)
        check_key(payload, variant)
        check_key(payload, code, field="family")
        check_if_match(fv.id, structure.family_variant_state(fv))
        structure.update_family_variant(db.session, fv, payload, auth.actor())
        db.session.commit()
        return _respond_variant(fv)

    @blp.response(204, description="Deleted")
    @documented_errors(blp, 401, 403, 404, 409, 412)
    def delete(self, code, variant):
        """Delete a family variant

        409 while product models use it.
        """
        fv = _variant(FAMILY.get(code), variant)
        check_if_match(fv.id, structure.family_variant_state(fv))
        with refusal_is_conflict(f"family variant {variant!r}"):
            structure.delete_family_variant(db.session, fv, auth.actor())
        db.session.commit()
        return "", 204
