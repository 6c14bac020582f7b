"""The Akeneo standard CSV export format: a whole catalogue in one command.

``vitrine pim import-akeneo DIR`` (:mod:`.cli`) calls :func:`import_akeneo`, which reads
the files of DIR in dependency order (:mod:`.importer`): structure files through
:mod:`pim.services.structure` (:mod:`.structure`, :mod:`.attributes`, :mod:`.families`),
product models and products through :mod:`pim.services.bulk` (:mod:`.catalog`, with
:mod:`.columns`, :mod:`.cell_values`, :mod:`.rows` and :mod:`.lineage` turning rows into
payloads), image and file cells into pending media links (:mod:`.media`), and reports
counts and issues per file (:mod:`.summary`). Importing the same directory twice changes
nothing the second time.
"""

from pim.imports.akeneo.importer import MIGRATION_ACTOR, STEPS, import_akeneo
from pim.imports.akeneo.summary import AkeneoSummary, FileCounts, Issue

__all__ = ["MIGRATION_ACTOR", "STEPS", "AkeneoSummary", "FileCounts", "Issue", "import_akeneo"]
