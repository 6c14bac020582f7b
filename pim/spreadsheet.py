"""Spreadsheet-safe CSV cells: formula escaping on export, and its undoing on import.

A cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is run as a formula
by spreadsheets (CSV injection). Exports prefix such cells with ``'``, which spreadsheets
hide; a cell already starting with ``'`` gets one more, so that :func:`unescape_formula`
(applied by the CSV importer) gives every cell back exactly.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(cell: str) -> str:
    """The cell as written to a CSV file that may be opened in a spreadsheet."""
    if isinstance(cell, str) and cell.startswith((*FORMULA_STARTS, "'")):
        return "'" + cell
    return cell


def unescape_formula(cell: str) -> str:
    """Undo :func:`escape_formula`; cells it did not escape come back unchanged."""
    if isinstance(cell, str) and cell[:1] == "'" and cell[1:2] in (*FORMULA_STARTS, "'"):
        return cell[1:]
    return cell
