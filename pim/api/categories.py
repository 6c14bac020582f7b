"""``/api/v1/categories``: the category trees, one category per item with its ``parent``
(null for a tree root), keyed by code.

A PATCH naming another ``parent`` moves the category with its whole subtree; DELETE
removes the subtree too (products lose those categories) and is refused while a channel
uses the tree. Reading needs ``read``; every write needs ``configure``.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pim.api import API_PREFIX
from pim.api.filters import invalid
from pim.api.problems import ApiError
from pim.api.resources import documented_errors
from pim.api.structure_schemas import (
    CategoryCreateSchema,
    CategoryListArgs,
    CategoryPageSchema,
    CategorySchema,
    CategoryWriteSchema,
)
from pim.api.structured import (
    CONFIGURE,
    ETAG_HEADER,
    Entity,
    find,
    search_clause,
)
from pim.extensions import db
from pim.models import Category
from pim.services import structure

blp = Blueprint(
    "categories",
    __name__,
    url_prefix=f"{API_PREFIX}/categories",
    description="Category trees, keyed by code; ``parent`` is null for a tree root.",
)


def update_or_move(session, category: Category, payload: dict, actor) -> None:
    """Labels and order in place, then a move when ``parent`` names another category."""
    current = category.parent.code if category.parent else None
    moves = "parent" in payload and payload["parent"] != current
    if moves:
        _check_movable(session, category, payload["parent"])
    structure.update_category(session, category, payload, actor)
    if moves:
        structure.move_category(session, category, payload["parent"], actor)


CATEGORY = Entity(
    name="category",
    model=Category,
    state=structure.category_state,
    endpoint="categories.CategoryItem",
    create=structure.create_category,
    update=update_or_move,
    delete=structure.delete_category,
)


def _filtered(args: dict):
    query = select(Category).options(selectinload(Category.parent))
    if args.get("parent"):
        parent = find(db.session, Category, args["parent"])
        if parent is None:
            raise invalid("parent", f"unknown category {args['parent']!r}")
        query = query.where(Category.parent_id == parent.id)
    if args.get("root"):
        root = find(db.session, Category, args["root"])
        if root is None:
            raise invalid("root", f"unknown category {args['root']!r}")
        query = query.where(Category.path.startswith(root.path))
    if args.get("is_root") is not None:
        roots = Category.parent_id.is_(None)
        query = query.where(roots if args["is_root"] else ~roots)
    if args.get("search"):
        query = query.where(search_clause(args["search"], Category.code, Category.labels))
    return query


@blp.route("")
class CategoryCollection(MethodView):
    permissions = CONFIGURE

    @blp.arguments(CategoryListArgs, location="query", unknown=RAISE)
    @blp.response(200, CategoryPageSchema)
    @documented_errors(blp, 401, 403, 422)
    def get(self, args):
        """List categories

        In creation order (rebuild the trees from each item's ``parent``); ``parent``
        gives the direct children of a category, ``root`` a whole subtree (itself
        included), ``is_root=true`` the trees; ``search`` looks in codes and labels.
        """
        return CATEGORY.page(_filtered(args), args)

    @blp.arguments(CategoryCreateSchema)
    @blp.response(201, CategorySchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 409, 413, 415, 422)
    def post(self, payload):
        """Create a category

        Without ``parent`` it is the root of a new tree; 409 when the code is taken.
        """
        return CATEGORY.post(payload)


@blp.route("/<code>")
class CategoryItem(MethodView):
    permissions = CONFIGURE

    @blp.response(200, CategorySchema, headers=ETAG_HEADER)
    @documented_errors(blp, 304, 401, 403, 404)
    def get(self, code):
        """Get a category"""
        return CATEGORY.respond(CATEGORY.get(code))

    @blp.arguments(CategoryWriteSchema)
    @blp.response(200, CategorySchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 404, 409, 412, 413, 415, 422)
    def patch(self, payload, code):
        """Update or move a category

        ``labels`` and ``sort_order`` change in place; another ``parent`` moves the
        category and its subtree there (null: it becomes a tree root). A channel's tree
        cannot be moved under another category (409).
        """
        return CATEGORY.patch(code, payload)

    @blp.response(204, description="Deleted")
    @documented_errors(blp, 401, 403, 404, 409, 412)
    def delete(self, code):
        """Delete a category and its subtree

        Products and models lose those categories. 409 while a channel uses the tree.
        """
        return CATEGORY.remove(code)


def _check_movable(session, category: Category, parent: str | None) -> None:
    """A channel's tree must stay a root (the move service leaves this to its callers,
    as the settings page does)."""
    if parent and category.parent_id is None and structure.category_in_use(session, category):
        raise ApiError(
            409,
            f"category {category.code!r} is the category tree of a channel; "
            "change the channel first.",
        )
