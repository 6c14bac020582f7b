"""Consolidation: reading ERP, PLM, supplier and Akeneo files into the catalogue.

Modules:

``readers``    stream rows out of CSV, XLSX and XML files (:class:`readers.Row`), refusing
               hostile or malformed files with a :class:`readers.ReadError` that names the
               file, line and column.
``mapping``    profiles' column → attribute rules and their transforms (trim, split, value
               maps, units, dates, decimal comma, option labels, concatenation).
``ownership``  which source may write which attribute and which one wins.
``engine``     runs one import job: read, map, check ownership, skip unchanged rows by hash,
               write in batches through :mod:`pim.services.bulk`, keep the report.
``akeneo``     the Akeneo standard CSV export format (structure and products).
``fetch``      downloading images by URL with SSRF protection.
``jobs``       the job queue (Huey) and the watched drop folders.
"""
