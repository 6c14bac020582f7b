"""Translation exchange with agencies: export XLIFF/sheets of catalogue values, import them back.

The file formats live in :mod:`pim.translations` (no database); this is the catalogue
side, split in :mod:`pim.services.translation_export` (selection → units → file) and
:mod:`pim.services.translation_import` (file → checks → one versioned change per item,
source ``translation``). Views and the CLI import from here.
"""

from __future__ import annotations

from pim.services.translation_export import (
    FORMATS,
    ExchangeError,
    ExportResult,
    ExportSelection,
    export_translations,
    select_items,
)
from pim.services.translation_import import (
    ImportChange,
    ImportReport,
    file_kind,
    import_translations,
    read_files,
)
from pim.translations.units import UnitProblem

__all__ = [
    "FORMATS",
    "ExchangeError",
    "ExportResult",
    "ExportSelection",
    "ImportChange",
    "ImportReport",
    "UnitProblem",
    "export_translations",
    "file_kind",
    "import_translations",
    "read_files",
    "select_items",
]
