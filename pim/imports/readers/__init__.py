"""Streaming readers for import files (CSV, XLSX, XML) that refuse hostile input.

Usage::

    with open_table(path, ReaderOptions(record_tag="product"), display_name="feed.xml") as reader:
        for row in reader:           # Row(line, cells, problems)
            if row.problems: ...     # reject this row, report row.line and the problems
            ...                      # reader.progress() for a progress bar

:func:`open_table` raises :class:`ReadError` for whole-file problems it can find before the
first row (wrong encoding, duplicate or empty header names, zip bomb, not an XLSX file,
DTD or entities in XML); iteration may raise it too for problems met later (malformed XML,
no record found). Every message is a sentence naming the file and, when known, the line.
"""

from __future__ import annotations

import codecs
import itertools
import os
from pathlib import Path

from flask_babel import gettext as _

from .base import ReaderOptions, ReadError, Row, RowProblem, TableReader
from .csv_reader import CsvReader
from .xlsx_reader import OLE_MAGIC, XlsxReader
from .xml_reader import XmlReader

__all__ = [
    "ReadError",
    "ReaderOptions",
    "Row",
    "RowProblem",
    "TableReader",
    "detect_format",
    "open_table",
    "sample",
]

READERS: dict[str, type[TableReader]] = {"csv": CsvReader, "xlsx": XlsxReader, "xml": XmlReader}
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
EXTENSIONS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xlsx", ".xml": "xml"}
TEXT_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def detect_format(path: str | os.PathLike) -> str:
    """Guess "csv", "xlsx" or "xml" for ``path``.

    Magic bytes first (a zip, or a legacy Office file, is "xlsx"; text starting with "<"
    after a BOM and blanks is "xml"), then the file extension, else "csv". Raises
    :class:`OSError` when the file cannot be read.
    """
    with open(path, "rb") as file:
        head = file.read(512)
    if head.startswith(ZIP_MAGICS) or head.startswith(OLE_MAGIC):
        return "xlsx"
    if _head_text(head).lstrip().startswith("<"):
        return "xml"
    return EXTENSIONS.get(Path(path).suffix.lower(), "csv")


def _head_text(head: bytes) -> str:
    for bom, codec in TEXT_BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="ignore")
    return head.decode("latin-1")


def open_table(
    path: str | os.PathLike,
    options: ReaderOptions | None = None,
    *,
    display_name: str | None = None,
) -> TableReader:
    """Open ``path`` for reading rows; use it as a context manager and iterate it.

    ``display_name`` (the uploaded file's name) replaces the path in messages. Raises
    :class:`ReadError` for whole-file problems found up front, :class:`ValueError` for an
    unknown ``options.format``.
    """
    options = options or ReaderOptions()
    name = display_name or Path(path).name
    try:
        file_format = (options.format or detect_format(path)).lower()
        if file_format not in READERS:
            raise ValueError(
                _(
                    "unknown import format %(file_format)r: expected csv, xlsx or xml",
                    file_format=file_format,
                )
            )
        return READERS[file_format](path, options, name)
    except OSError as error:
        reason = _("cannot be opened (%(strerror)s)", strerror=error.strerror or error)
        raise ReadError(name, reason) from error


def sample(
    path: str | os.PathLike,
    options: ReaderOptions | None = None,
    *,
    rows: int = 20,
    display_name: str | None = None,
) -> tuple[list[str], list[Row]]:
    """The columns and the first ``rows`` rows of the file, for the mapping screen.

    For XML the columns are the paths seen in those first records.
    """
    with open_table(path, options, display_name=display_name) as reader:
        first_rows = list(itertools.islice(reader, rows))
        return list(reader.columns), first_rows
