"""Import a directory of Akeneo CSV exports, file by file in dependency order.

Vitrine's order differs slightly from Akeneo's listing (channels first) because a channel
needs its locales, currencies and category tree to exist: locales, currencies,
categories, channels, attribute groups, attributes, options, families, family variants,
association types, product models, products. Absent files are skipped. A file the reader
refuses stops the import: the files after it are reported as not imported.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pim.imports.akeneo import attributes, catalog, families, structure
from pim.imports.akeneo.context import Context
from pim.imports.akeneo.summary import AkeneoSummary, Fault
from pim.services.actors import Actor

#: Who the versions written by an Akeneo import name, and their source.
MIGRATION_ACTOR = Actor(name="akeneo import", source="migration")

STEPS: list[tuple[str, Callable]] = [
    ("locales.csv", structure.import_locales),
    ("currencies.csv", structure.import_currencies),
    ("categories.csv", structure.import_categories),
    ("channels.csv", structure.import_channels),
    ("attribute_groups.csv", structure.import_attribute_groups),
    ("attributes.csv", attributes.import_attributes),
    ("attribute_options.csv", attributes.import_options),
    ("families.csv", families.import_families),
    ("family_variants.csv", families.import_family_variants),
    ("association_types.csv", structure.import_association_types),
    ("product_models.csv", catalog.import_product_models),
    ("products.csv", catalog.import_products),
]


def import_akeneo(
    session,
    directory: Path,
    actor: Actor = MIGRATION_ACTOR,
    *,
    on_progress: Callable[[str, int], None] | None = None,
) -> AkeneoSummary:
    """Import every Akeneo file of ``directory``; flushes, never commits.

    ``on_progress(file, rows_done)`` is called as rows are written. Refused rows are
    reported in the summary and the good ones written; see :class:`AkeneoSummary`.
    """
    ctx = Context(session, Path(directory), actor, on_progress=on_progress)
    for name, step in STEPS:
        if not (ctx.directory / name).is_file():
            continue
        if ctx.stopped_by:
            reason = f"not imported: {ctx.stopped_by} was refused and this file depends on it"
            ctx.summary.warn(name, None, None, Fault(None, None, reason))
            continue
        step(ctx, name)
    catalog.finish(ctx)
    return ctx.summary
