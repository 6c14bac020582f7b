"""Reading Akeneo CSV files (``;``-separated, one header line) and their cells.

Rows the reader flags (ragged, NUL bytes, oversized cells) are refused and reported; a
file the reader refuses as a whole stops the import (later files may depend on it).
"""

from __future__ import annotations

from collections.abc import Iterator

from pim.imports.akeneo.context import Context
from pim.imports.akeneo.summary import Fault
from pim.imports.readers import ReaderOptions, ReadError, Row, open_table

#: Akeneo exports: ``;`` between cells, UTF-8 (with or without a byte-order mark).
AKENEO_CSV = ReaderOptions(format="csv", delimiter=";", encoding=None)
TRUE_FLAGS = {"1", "true"}
FALSE_FLAGS = {"0", "false", ""}


def read_rows(ctx: Context, name: str) -> Iterator[Row]:
    """The good rows of ``DIR/name``; flagged rows and a refused file are reported."""
    summary = ctx.summary
    summary.counts(name)
    try:
        with open_table(ctx.directory / name, AKENEO_CSV, display_name=name) as table:
            for row in table:
                if row.problems:
                    faults = [Fault(p.column, p.value, p.reason) for p in row.problems]
                    summary.fail(name, row.line, _first_cell(row), faults)
                    continue
                yield row
    except ReadError as error:
        summary.refuse_file(name, str(error))
        ctx.stopped_by = name


def _first_cell(row: Row) -> str | None:
    first = next(iter(row.cells.values()), None)
    return cell_text(first) or None


def cell_text(value) -> str:
    """A cell as text (an XML list joined with commas, a missing cell as "")."""
    if value is None:
        return ""
    return ",".join(value) if isinstance(value, list) else value


def cell(row: Row, column: str) -> str:
    """The stripped text of ``column`` in ``row`` ("" when absent)."""
    return cell_text(row.cells.get(column)).strip()


def codes(text: str) -> list[str]:
    """``"a, b,,c"`` → ``["a", "b", "c"]`` (duplicates dropped, order kept)."""
    return list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def flag(row: Row, column: str, faults: list[Fault]) -> bool:
    """An Akeneo ``1``/``0`` cell (empty is false); anything else is a fault."""
    text = cell(row, column).lower()
    if text not in TRUE_FLAGS | FALSE_FLAGS:
        faults.append(Fault(column, text, "must be 1 or 0"))
    return text in TRUE_FLAGS


def whole_number(row: Row, column: str, faults: list[Fault], default=None):
    """An integer cell (``"3"``, ``"3.0000"``); empty gives ``default``."""
    text = cell(row, column)
    if not text:
        return default
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is None or not number.is_integer():
        faults.append(Fault(column, text, "must be a whole number"))
        return default
    return int(number)


def labels(row: Row) -> dict[str, str]:
    """``label-<locale>`` columns → ``{locale: label}`` (empty labels dropped)."""
    return {
        column[len("label-") :]: cell(row, column)
        for column in row.cells
        if column.startswith("label-") and cell(row, column)
    }


def present(row: Row, payload: dict, columns: dict[str, str]) -> dict:
    """``payload`` without the keys whose column (``columns[key]``) the file lacks.

    A missing column leaves the stored setting as it is; ``label-`` stands for any label
    column.
    """
    header = row.cells
    return {
        key: value
        for key, value in payload.items()
        if key not in columns
        or columns[key] in header
        or (columns[key] == "label-" and any(c.startswith("label-") for c in header))
    }
