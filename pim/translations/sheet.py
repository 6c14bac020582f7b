"""The translation sheet: one row per unit in a CSV or XLSX file, for small agencies.

Columns: ``id``, ``product``, ``attribute``, ``source (en_US)``, ``target (fr_FR)``,
``max length``, ``notes`` (the locales are in the headers). Only ``target`` is meant to be
edited. Rich text stays HTML in the sheet; on import the target's tags are checked
against the source's (:func:`pim.translations.inline.check_html_target`): the same tags
with the same attributes, each once, well nested, in the same parent tag.

A sheet does not say which values are rich text: a unit whose source has HTML tags is
read as rich (its target checked and rebuilt as above); a unit whose source has none is
plain text, and a target that adds tags to it is refused. The import step knows each
attribute's type and may check again.

CSV files are UTF-8 with a BOM, every cell formula-escaped (:mod:`pim.spreadsheet`); XLSX
cells are written as text, never as formulas (control characters, which XLSX cannot hold,
are left out). Reading goes through the hardened import
readers (:func:`pim.imports.readers.open_table`: encoding, delimiter, zip bombs, DTDs).
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pim.imports.readers import ReaderOptions, ReadError, detect_format, open_table
from pim.spreadsheet import escape_formula

from .inline import InlineError, check_html_target
from .units import (
    TranslationFile,
    TranslationFileError,
    TranslationUnit,
    UnitProblem,
    check_locale,
    max_length_problem,
    parse_unit_id,
)

FORMATS = ("csv", "xlsx")
FIXED_COLUMNS = ("id", "product", "attribute")
TAIL_COLUMNS = ("max length", "notes")
_LOCALE_HEADER = re.compile(r"(source|target) \((.*)\)")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


class SheetError(TranslationFileError):
    """The sheet is refused as a whole."""


def columns(file: TranslationFile) -> list[str]:
    """The header row of ``file``'s sheet."""
    locales = [f"source ({file.source_locale})", f"target ({file.target_locale})"]
    return [*FIXED_COLUMNS, *locales, *TAIL_COLUMNS]


def _cells(unit: TranslationUnit) -> list[str]:
    attribute = unit.attribute if unit.scope is None else f"{unit.attribute}@{unit.scope}"
    max_length = "" if unit.max_length is None else str(unit.max_length)
    notes = "\n".join(unit.notes)
    return [unit.id, unit.item_key, attribute, unit.source, unit.target or "", max_length, notes]


def write_sheet(file: TranslationFile, out: BinaryIO, file_format: str = "csv") -> int:
    """Write ``file`` as a CSV or XLSX sheet into ``out``; return the number of rows."""
    if file_format not in FORMATS:
        raise ValueError(f"sheet format must be csv or xlsx, not {file_format!r}")
    rows = (_cells(unit) for unit in file.units)
    if file_format == "csv":
        return _write_csv(columns(file), rows, out)
    return _write_xlsx(columns(file), rows, out)


def _write_csv(header: list[str], rows: Iterator[list[str]], out: BinaryIO) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(header)
        count = 0
        for row in rows:
            writer.writerow([escape_formula(cell) for cell in row])
            count += 1
        return count
    finally:
        text.flush()
        text.detach()


def _write_xlsx(header: list[str], rows: Iterator[list[str]], out: BinaryIO) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Translations")
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_text_cell(sheet, value) for value in row])
        count += 1
    workbook.save(out)
    return count


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # "=…" stays text: never run as a formula
    return cell


def read_sheet(
    source: str | os.PathLike | bytes,
    *,
    name: str | None = None,
    file_format: str | None = None,
    source_locale: str | None = None,
    target_locale: str | None = None,
) -> TranslationFile:
    """The units of a translation sheet; :class:`SheetError` if the sheet is refused.

    ``source`` is a path or the file's bytes; ``file_format`` "csv" or "xlsx" (default:
    detected). When ``source_locale``/``target_locale`` are given, a sheet for other
    locales is refused. Rows with problems are listed in ``problems`` and left out of
    ``units``; rows with an empty target are read with ``target=None``.
    """
    if isinstance(source, bytes | bytearray):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "sheet"
            path.write_bytes(source)
            # openpyxl goes by the file name's extension
            path = path.rename(path.with_suffix("." + (file_format or detect_format(path))))
            return read_sheet(
                path,
                name=name or "sheet",
                file_format=file_format,
                source_locale=source_locale,
                target_locale=target_locale,
            )
    name = name or Path(source).name
    try:
        with open_table(source, ReaderOptions(format=file_format), display_name=name) as reader:
            locales = _check_header(reader.columns, name, source_locale, target_locale)
            return _read_rows(reader, name, locales)
    except ReadError as error:
        raise SheetError(name, error.reason, line=error.line) from None


def _check_header(header, name, source_locale, target_locale) -> tuple[str, str]:
    by_kind = {}
    for column in header:
        if match := _LOCALE_HEADER.fullmatch(column.strip()):
            by_kind[match.group(1)] = (column, match.group(2).strip().replace("-", "_"))
    missing = [c for c in (*FIXED_COLUMNS, *TAIL_COLUMNS) if c not in header]
    missing += [f"{kind} (<locale>)" for kind in ("source", "target") if kind not in by_kind]
    if missing:
        reason = (
            f"is not a translation sheet: it has no column {', '.join(missing)}. Its columns "
            f"must be {', '.join(columns(TranslationFile('en_US', 'fr_FR')))} (your locales)"
        )
        raise SheetError(name, reason, line=1)
    wanted = {"source": source_locale, "target": target_locale}
    for kind, (column, locale) in by_kind.items():
        try:
            check_locale(locale)
        except ValueError:
            raise SheetError(name, f'has a bad locale in the column "{column}"', line=1) from None
        if wanted[kind] and locale != wanted[kind]:
            reason = f'is for the {kind} locale {locale}, not {wanted[kind]} (column "{column}")'
            raise SheetError(name, reason, line=1)
    return by_kind["source"][1], by_kind["target"][1]


def _read_rows(reader, name: str, locales: tuple[str, str]) -> TranslationFile:
    source_column = _find(reader.columns, "source")
    target_column = _find(reader.columns, "target")
    seen: dict[str, int] = {}
    units: dict[str, TranslationUnit] = {}
    problems: list[UnitProblem] = []
    for row in reader:
        uid = str(row.cells.get("id", "")).strip() or None
        if row.problems:
            reasons = "; ".join(f"{p.column or 'row'} {p.reason}" for p in row.problems)
            problems.append(UnitProblem(uid, reasons, row.line))
            continue
        if uid is None:
            problems.append(UnitProblem(None, "the row has no id", row.line))
            continue
        if uid in seen:
            problems.append(UnitProblem(uid, f"the id is also on line {seen[uid]}", row.line))
            units.pop(uid, None)
            continue
        seen[uid] = row.line
        try:
            units[uid] = _unit(row.cells, uid, locales, source_column, target_column)
        except (ValueError, InlineError) as error:
            problems.append(UnitProblem(uid, str(error), row.line))
    return TranslationFile(*locales, units=list(units.values()), original=name, problems=problems)


def _find(header: list[str], kind: str) -> str:
    return next(c for c in header if (m := _LOCALE_HEADER.fullmatch(c.strip())) and m[1] == kind)


def _unit(cells, uid: str, locales, source_column: str, target_column: str) -> TranslationUnit:
    key = parse_unit_id(uid)
    source, target = cells[source_column], cells[target_column] or None
    rich = bool(_TAG.search(source))
    if target is not None and rich:
        target = check_html_target(source, target)
    elif target is not None and _TAG.search(target):
        raise ValueError("the target has HTML tags but the source has none")
    unit = TranslationUnit(
        key.item_kind,
        key.item_key,
        key.attribute,
        key.scope,
        *locales,
        source=source,
        target=target,
        rich=rich,
        max_length=_max_length(cells["max length"]),
        notes=[line for line in cells["notes"].split("\n") if line],
        state="translated" if target is not None else "new",
    )
    if problem := max_length_problem(unit):
        raise ValueError(problem)
    return unit


def _max_length(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"max length {text!r} is not a whole number")
    return int(text)
