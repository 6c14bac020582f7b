"""Streaming XLSX reader: zip inspection first, then openpyxl in read-only mode.

Before openpyxl sees the file, :mod:`zipfile` checks that it is a zip at all, that it is
not a zip bomb (declared sizes, which :mod:`zipfile` enforces while reading) and that no
XML part declares a DTD. Rows are then streamed with
``load_workbook(read_only=True, data_only=False)``: formulas come back as their text.
"""

from __future__ import annotations

import math
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula

from .base import (
    ReaderOptions,
    ReadError,
    Row,
    RowProblem,
    TableReader,
    cell_problems,
    check_header,
    shorten,
)

#: Entries bigger than this are checked against ``max_compression_ratio``.
RATIO_CHECK_MIN_BYTES = 1024 * 1024
#: Bytes of each XML part searched for a DTD (a DTD must come before the first element).
DTD_SCAN_BYTES = 64 * 1024
DTD_MARKERS = tuple(
    marker.encode(codec)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for codec in ("utf-8", "utf-16-le", "utf-16-be")
)
#: Legacy Office files (.xls, password-protected workbooks) are OLE compound documents.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RESAVE_HINT = lazy_gettext(
    "Open it in Excel and save it as an Excel Workbook (.xlsx), then upload it again"
)


class XlsxReader(TableReader):
    """Rows of one worksheet; see :func:`pim.imports.readers.open_table`."""

    def __init__(self, path, options: ReaderOptions, display_name: str):
        super().__init__(path, options, display_name)
        inspect_zip(path, options, display_name)
        self._values = None
        self._workbook = self._load()
        try:
            sheet = self._select_sheet()
            self._declared_rows = sheet.max_row or 0
            sheet.reset_dimensions()  # stored dimensions can be wrong; read the cells present
            self._values = sheet.iter_rows(values_only=True)
            self._row_number = 0
            self.columns = self._read_header(sheet.title)
        except BaseException:
            self._release()
            raise

    def _load(self):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                return load_workbook(self.path, read_only=True, data_only=False)
        except Exception as error:  # openpyxl raises anything on a corrupt workbook
            reason = _(
                "is not a valid XLSX file (%(value)s). %(resave_hint)s",
                value=_describe(error),
                resave_hint=RESAVE_HINT,
            )
            raise ReadError(self.display_name, reason) from error

    def _select_sheet(self):
        names = self._workbook.sheetnames
        if self.options.sheet is None:
            if not self._workbook.worksheets:
                raise ReadError(self.display_name, _("has no worksheet"))
            return self._workbook.worksheets[0]
        if self.options.sheet not in names:
            listed = ", ".join(f'"{name}"' for name in names)
            reason = _(
                'has no sheet named "%(sheet)s"; its sheets are %(listed)s',
                sheet=self.options.sheet,
                listed=listed,
            )
            raise ReadError(self.display_name, reason)
        sheet = self._workbook[self.options.sheet]
        if not hasattr(sheet, "iter_rows"):
            raise ReadError(
                self.display_name,
                _('has a chart, not a table, in sheet "%(title)s"', title=sheet.title),
            )
        return sheet

    def _read_header(self, title: str) -> list[str]:
        while (values := self._next_values()) is not None:
            names = [cell_text(value).strip() for value in values]
            while names and not names[-1]:
                names.pop()  # formatted but empty columns after the last header
            if names:
                check_header(names, self.display_name, self._row_number, _column_label)
                return names
        raise ReadError(
            self.display_name, _('has no header line: the sheet "%(title)s" is empty', title=title)
        )

    def _next_values(self) -> tuple | None:
        """The next row's values (``None`` at the end), openpyxl's warnings silenced."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                values = next(self._values, None)
        except Exception as error:  # a corrupt sheet part fails while it is streamed
            reason = _(
                "is not a valid XLSX file (%(value)s). %(resave_hint)s",
                value=_describe(error),
                resave_hint=RESAVE_HINT,
            )
            raise ReadError(self.display_name, reason, line=self._row_number + 1) from error
        if values is not None:
            self._row_number += 1
        return values

    def _read_rows(self) -> Iterator[Row]:
        while (values := self._next_values()) is not None:
            texts = [cell_text(value) for value in values]
            if any(texts):
                yield self._make_row(texts)

    def _make_row(self, texts: list[str]) -> Row:
        width = len(self.columns)
        cells = dict(zip(self.columns, texts, strict=False))
        for name in self.columns[len(texts) :]:
            cells[name] = ""
        problems = [
            RowProblem(None, shorten(text), self._unnamed_cell_reason(index))
            for index, text in enumerate(texts[width:], start=width)
            if text
        ]
        problems.extend(cell_problems(cells, self.options.max_cell_chars))
        return Row(self._row_number, cells, tuple(problems))

    def _unnamed_cell_reason(self, index: int) -> str:
        cell = f"{get_column_letter(index + 1)}{self._row_number}"
        return _(
            "cell %(cell)s has a value but its column has no name in the header row", cell=cell
        )

    def _position(self) -> float:
        # Row-based: openpyxl does not expose how far into the sheet part it has read.
        if self._declared_rows <= 1:
            return 0.0
        return min(self._row_number / self._declared_rows, 0.99)

    def _release(self) -> None:
        # The suspended row generator holds the sheet part open: the archive stays open
        # (and its file with it) until that generator is closed too.
        if self._values is not None:
            self._values.close()
        self._workbook.close()


def inspect_zip(path, options: ReaderOptions, display_name: str) -> None:
    """Refuse files that are not zips, zip bombs, and XML parts declaring a DTD."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            _check_sizes(entries, options, display_name)
            if "[Content_Types].xml" not in archive.namelist():
                detail = "it is a zip archive but not a workbook"
                reason = _(
                    "is not a valid XLSX file (%(detail)s). %(resave_hint)s",
                    detail=detail,
                    resave_hint=RESAVE_HINT,
                )
                raise ReadError(display_name, reason)
            _check_no_dtd(archive, entries, display_name)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ) as error:
        raise ReadError(display_name, _not_a_zip_reason(path, error)) from error


def _not_a_zip_reason(path, error: Exception) -> str:
    with open(path, "rb") as file:
        legacy = file.read(len(OLE_MAGIC)) == OLE_MAGIC
    if legacy:
        detail = "it is an older Excel .xls file or a password-protected workbook"
        return _(
            "is not a valid XLSX file (%(detail)s). %(resave_hint)s, without a password",
            detail=detail,
            resave_hint=RESAVE_HINT,
        )
    return _(
        "is not a valid XLSX file (%(value)s). %(resave_hint)s",
        value=_describe(error),
        resave_hint=RESAVE_HINT,
    )


def _check_sizes(entries: list[zipfile.ZipInfo], options: ReaderOptions, display_name: str) -> None:
    total = sum(entry.file_size for entry in entries)
    if total > options.max_uncompressed_bytes:
        reason = _(
            "looks like a zip bomb: it would unpack to %(total)s bytes, more than the limit of "
            "%(max_uncompressed_bytes)s",
            total=total,
            max_uncompressed_bytes=options.max_uncompressed_bytes,
        )
        raise ReadError(display_name, reason)
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_CHECK_MIN_BYTES and ratio > options.max_compression_ratio:
            reason = _(
                'looks like a zip bomb: its part "%(filename)s" is compressed %(ratio).0f times, '
                "more than the limit of %(max_compression_ratio)s",
                filename=entry.filename,
                ratio=ratio,
                max_compression_ratio=options.max_compression_ratio,
            )
            raise ReadError(display_name, reason)


def _check_no_dtd(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], display_name: str
) -> None:
    for entry in entries:
        if not entry.filename.endswith((".xml", ".rels")):
            continue
        with archive.open(entry) as part:
            head = part.read(DTD_SCAN_BYTES)
        if any(marker in head for marker in DTD_MARKERS):
            reason = _(
                'has a DTD in its part "%(filename)s"; DTDs and entity declarations are not '
                "accepted. %(resave_hint)s",
                filename=entry.filename,
                resave_hint=RESAVE_HINT,
            )
            raise ReadError(display_name, reason)


def cell_text(value) -> str:
    """The text of a cell value: numbers without float noise, ISO dates, formulas as given."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, ArrayFormula):
        return value.text
    return str(value)


def _float_text(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")  # repr is the shortest exact form: 0.1, not 0.1000…01


def _column_label(index: int) -> str:
    return f"column {get_column_letter(index + 1)}"


def _describe(error: Exception) -> str:
    return str(error) or type(error).__name__
