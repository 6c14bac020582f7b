"""Translation files: the units of work exchanged with translation agencies.

This layer knows files, not the catalogue: no database, no Flask. The import/export step
built on it selects products and attributes, makes :class:`~pim.translations.units.TranslationUnit`
objects (one per product × attribute × scope), writes them, and later matches what it
reads back against the catalogue (unknown products or attributes, non-localizable
attributes, locales that are not activated, sources changed since the export).

Modules:

* :mod:`~pim.translations.units` — units, files, stable unit ids, locale tags, problems,
  the maximum-length check;
* :mod:`~pim.translations.inline` — rich text (HTML) ↔ XLIFF inline codes, and the check
  that a translation kept exactly the source's tags;
* :mod:`~pim.translations.xliff` — XLIFF 1.2 and 2.0: streaming writer, hardened reader
  (no DTD, no entities, no network), per-unit problems;
* :mod:`~pim.translations.sheet` — the CSV/XLSX translation sheet for small agencies;
* :mod:`~pim.translations.provider` — the interface of a machine-translation provider.

Reading never raises for a bad unit: whole-file problems raise a
:class:`~pim.translations.units.TranslationFileError` (``XliffError``, ``SheetError``), unit
problems are listed in ``TranslationFile.problems`` so that a dry run can report them all.
"""
