"""``/api/v1/attributes`` (with ``/attributes/{code}/options``) and
``/api/v1/attribute-groups``: what the settings screens of attributes do, keyed by code.

Reading needs ``read``; every write needs ``configure``. The representation of an
attribute is the state its history records (:func:`pim.services.structure.attribute_state`).
"""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pim.api import API_PREFIX, auth
from pim.api.filters import invalid
from pim.api.problems import ApiError
from pim.api.resources import documented_errors
from pim.api.structure_schemas import (
    AttributeCreateSchema,
    AttributeGroupCreateSchema,
    AttributeGroupPageSchema,
    AttributeGroupSchema,
    AttributeGroupWriteSchema,
    AttributeListArgs,
    AttributePageSchema,
    AttributeSchema,
    AttributeWriteSchema,
    OptionCreateSchema,
    OptionPageSchema,
    OptionSchema,
    OptionWriteSchema,
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
from pim.models import Attribute, AttributeGroup, AttributeOption
from pim.services import structure

blp = Blueprint(
    "attributes",
    __name__,
    url_prefix=f"{API_PREFIX}/attributes",
    description="Attributes and the options of select attributes, keyed by code.",
)
groups_blp = Blueprint(
    "attribute-groups",
    __name__,
    url_prefix=f"{API_PREFIX}/attribute-groups",
    description="Attribute groups (sections of the product editor), keyed by code.",
)
SELECT_TYPES = ("simple_select", "multi_select")


ATTRIBUTE = Entity(
    name="attribute",
    model=Attribute,
    state=structure.attribute_state,
    endpoint="attributes.AttributeItem",
    create=structure.create_attribute,
    update=structure.update_attribute,
    delete=structure.delete_attribute,
)
GROUP = Entity(
    name="attribute group",
    model=AttributeGroup,
    state=structure.attribute_group_state,
    endpoint="attribute-groups.AttributeGroupItem",
    create=structure.create_attribute_group,
    update=structure.update_attribute_group,
    delete=structure.delete_attribute_group,
)


@blp.route("")
class AttributeCollection(MethodView):
    permissions = CONFIGURE

    @blp.arguments(AttributeListArgs, location="query", unknown=RAISE)
    @blp.response(200, AttributePageSchema)
    @documented_errors(blp, 401, 403, 422)
    def get(self, args):
        """List attributes

        In creation order; filters ``type``, ``group``, ``localizable``, ``scopable`` and
        ``search`` (code or label) combine.
        """
        query = select(Attribute).options(
            selectinload(Attribute.group), selectinload(Attribute.options)
        )
        if args.get("type"):
            query = query.where(Attribute.type == args["type"])
        if args.get("group"):
            group = find(db.session, AttributeGroup, args["group"])
            if group is None:
                raise invalid("group", f"unknown attribute group {args['group']!r}")
            query = query.where(Attribute.group_id == group.id)
        for flag in ("localizable", "scopable"):
            if args.get(flag) is not None:
                query = query.where(getattr(Attribute, flag).is_(args[flag]))
        if args.get("search"):
            query = query.where(search_clause(args["search"], Attribute.code, Attribute.labels))
        return ATTRIBUTE.page(query, args)

    @blp.arguments(AttributeCreateSchema)
    @blp.response(201, AttributeSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 409, 413, 415, 422)
    def post(self, payload):
        """Create an attribute

        ``code``, ``type`` and ``group`` are required; 409 when the code is taken.
        """
        return ATTRIBUTE.post(payload)


@blp.route("/<code>")
class AttributeItem(MethodView):
    permissions = CONFIGURE

    @blp.response(200, AttributeSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 304, 401, 403, 404)
    def get(self, code):
        """Get an attribute"""
        return ATTRIBUTE.respond(ATTRIBUTE.get(code))

    @blp.arguments(AttributeWriteSchema)
    @blp.response(200, AttributeSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 404, 412, 413, 415, 422)
    def patch(self, payload, code):
        """Update an attribute

        Labels, group, order, validation rules and ``options`` (replacing the list) may
        change; ``type``, ``localizable``, ``scopable``, ``unique`` and ``metric_family``
        are fixed. The same payload twice records no new version.
        """
        return ATTRIBUTE.patch(code, payload)

    @blp.response(204, description="Deleted")
    @documented_errors(blp, 401, 403, 404, 409, 412)
    def delete(self, code):
        """Delete an attribute

        409 while products or models have values for it, for the identifier attribute
        and for a variant axis.
        """
        return ATTRIBUTE.remove(code)


# --- options -------------------------------------------------------------------------------


def _select_attribute(code: str) -> Attribute:
    attr = ATTRIBUTE.get(code)
    if attr.type not in SELECT_TYPES:
        raise ApiError(404, f"attribute {code!r} is a {attr.type} attribute: it has no options.")
    return attr


def _option(attr: Attribute, code: str) -> AttributeOption:
    option = next((o for o in attr.options if o.code == code), None)
    if option is None:
        raise ApiError(404, f"attribute {attr.code!r} has no option {code!r}.")
    return option


def option_state(option: AttributeOption) -> dict:
    """An option as the attribute's state shows it."""
    return {
        "code": option.code,
        "labels": option.labels,
        "sort_order": option.sort_order,
        "swatch": option.swatch,
    }


def _respond_option(attr: Attribute, option: AttributeOption, status: int = 200):
    location = None
    if status == 201:
        location = url_for("attributes.OptionItem", code=attr.code, option=option.code)
    return respond(option.id, option_state(option), status, location)


@blp.route("/<code>/options")
class OptionCollection(MethodView):
    permissions = CONFIGURE

    @blp.arguments(StructureListArgs, location="query", unknown=RAISE)
    @blp.response(200, OptionPageSchema)
    @documented_errors(blp, 401, 403, 404, 422)
    def get(self, args, code):
        """List the options of a select attribute

        In creation order; ``search`` looks in codes and labels.
        """
        attr = _select_attribute(code)
        query = select(AttributeOption).where(AttributeOption.attribute_id == attr.id)
        if args.get("search"):
            clause = search_clause(args["search"], AttributeOption.code, AttributeOption.labels)
            query = query.where(clause)
        return page(db.session, query, AttributeOption.id, args, option_state)

    @blp.arguments(OptionCreateSchema)
    @blp.response(201, OptionSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 404, 409, 413, 415, 422)
    def post(self, payload, code):
        """Add an option

        Without ``sort_order`` it goes last; 409 when the code is taken.
        """
        attr = _select_attribute(code)
        if any(o.code == payload["code"] for o in attr.options):
            raise ApiError(409, f"option {payload['code']!r} already exists; PATCH it.")
        if "sort_order" not in payload:
            payload["sort_order"] = max((o.sort_order for o in attr.options), default=-1) + 1
        structure.add_option(db.session, attr, payload, auth.actor())
        db.session.commit()
        return _respond_option(attr, _option(attr, payload["code"]), 201)


@blp.route("/<code>/options/<option>")
class OptionItem(MethodView):
    permissions = CONFIGURE

    @blp.response(200, OptionSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 304, 401, 403, 404)
    def get(self, code, option):
        """Get an option"""
        attr = _select_attribute(code)
        return _respond_option(attr, _option(attr, option))

    @blp.arguments(OptionWriteSchema)
    @blp.response(200, OptionSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 404, 412, 413, 415, 422)
    def patch(self, payload, code, option):
        """Update an option's labels, order or swatch"""
        attr = _select_attribute(code)
        current = _option(attr, option)
        check_key(payload, option)
        check_if_match(current.id, option_state(current))
        structure.add_option(db.session, attr, {**option_state(current), **payload}, auth.actor())
        db.session.commit()
        return _respond_option(attr, _option(attr, option))

    @blp.response(204, description="Deleted")
    @documented_errors(blp, 401, 403, 404, 409, 412)
    def delete(self, code, option):
        """Delete an option

        409 while products or models use it.
        """
        attr = _select_attribute(code)
        current = _option(attr, option)
        check_if_match(current.id, option_state(current))
        with refusal_is_conflict(f"option {option!r}"):
            structure.remove_option(db.session, attr, option, auth.actor())
        db.session.commit()
        return "", 204


# --- attribute groups ----------------------------------------------------------------------


@groups_blp.route("")
class AttributeGroupCollection(MethodView):
    permissions = CONFIGURE

    @groups_blp.arguments(StructureListArgs, location="query", unknown=RAISE)
    @groups_blp.response(200, AttributeGroupPageSchema)
    @documented_errors(groups_blp, 401, 403, 422)
    def get(self, args):
        """List attribute groups"""
        query = select(AttributeGroup)
        if args.get("search"):
            clause = search_clause(args["search"], AttributeGroup.code, AttributeGroup.labels)
            query = query.where(clause)
        return GROUP.page(query, args)

    @groups_blp.arguments(AttributeGroupCreateSchema)
    @groups_blp.response(201, AttributeGroupSchema, headers=ETAG_HEADER)
    @documented_errors(groups_blp, 401, 403, 409, 413, 415, 422)
    def post(self, payload):
        """Create an attribute group"""
        return GROUP.post(payload)


@groups_blp.route("/<code>")
class AttributeGroupItem(MethodView):
    permissions = CONFIGURE

    @groups_blp.response(200, AttributeGroupSchema, headers=ETAG_HEADER)
    @documented_errors(groups_blp, 304, 401, 403, 404)
    def get(self, code):
        """Get an attribute group"""
        return GROUP.respond(GROUP.get(code))

    @groups_blp.arguments(AttributeGroupWriteSchema)
    @groups_blp.response(200, AttributeGroupSchema, headers=ETAG_HEADER)
    @documented_errors(groups_blp, 401, 403, 404, 412, 413, 415, 422)
    def patch(self, payload, code):
        """Update an attribute group's labels or order"""
        return GROUP.patch(code, payload)

    @groups_blp.response(204, description="Deleted")
    @documented_errors(groups_blp, 401, 403, 404, 409, 412)
    def delete(self, code):
        """Delete an attribute group

        409 while attributes belong to it.
        """
        return GROUP.remove(code)
