"""Category trees read for the settings pages: children per node, depth-first order for
the "parent" selects, and how many products and models each category holds."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from pim.models import Category, Channel, model_category, product_category


@dataclass
class Forest:
    """Every category, as roots and children lists, in display order."""

    roots: list[Category] = field(default_factory=list)
    children: dict[int, list[Category]] = field(default_factory=dict)
    #: category id → products and models filed in it (the category itself, not below)
    holdings: dict[int, int] = field(default_factory=dict)
    #: root id → codes of the channels whose tree it is
    channels: dict[int, list[str]] = field(default_factory=dict)

    def depth_first(self) -> list[Category]:
        """Every category, each followed by its subtree (the order of the tree view)."""
        ordered: list[Category] = []
        stack = list(reversed(self.roots))
        while stack:
            node = stack.pop()
            ordered.append(node)
            stack.extend(reversed(self.children.get(node.id, [])))
        return ordered


def load(session) -> Forest:
    """The whole forest in a few queries (whatever its size)."""
    forest = Forest()
    order = (Category.sort_order, Category.code)
    for category in session.scalars(select(Category).order_by(*order)):
        if category.parent_id is None:
            forest.roots.append(category)
        else:
            forest.children.setdefault(category.parent_id, []).append(category)
    for table in (product_category, model_category):
        counts = select(table.c.category_id, func.count()).group_by(table.c.category_id)
        for category_id, count in session.execute(counts):
            forest.holdings[category_id] = forest.holdings.get(category_id, 0) + count
    for code, tree_id in session.execute(
        select(Channel.code, Channel.category_tree_id).where(Channel.category_tree_id.is_not(None))
    ):
        forest.channels.setdefault(tree_id, []).append(code)
    return forest
