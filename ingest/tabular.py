"""Reading submitted tables as text, whatever their encoding, delimiter or workbook shape.

Every cell is read as a string (so "NA" stays Namibia, "007" keeps its zeros and blank stays
distinct from 0); parsing values is the reader's job. Row numbers are those a person sees in the
file: the header is row ``header_row + 1`` and data rows follow.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.lazy import pandas as pd
from ingest.problems import IntakeError, Problem

if TYPE_CHECKING:
    import pyarrow as pa

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


@dataclass
class Table:
    """A sheet or CSV file as text: ``frame`` has one str column per header, ``row_numbers`` the
    1-based row each data row came from."""

    frame: pd.DataFrame
    file: str
    sheet: str | None
    header_row: int  # 1-based row of the header
    encoding: str | None = None
    delimiter: str | None = None

    def row_number(self, i: int) -> int:
        return self.header_row + 1 + i


def decode(raw: bytes, file: str) -> tuple[str, str]:
    """Decode bytes trying UTF-8 (with or without BOM), then cp1252, then latin-1."""
    if b"\x00" in raw[:4096]:
        raise IntakeError(
            [
                Problem(
                    "file.binary",
                    "the file is binary, not a text table",
                    "send a CSV or an Excel workbook (.xlsx)",
                    file=file,
                )
            ]
        )
    for enc in ENCODINGS:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")


def sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t|"}
        return max(counts, key=counts.get)


def read_csv_text(path: Path, delimiter: str | None = None, header_row: int = 1) -> Table:
    raw = path.read_bytes()
    text, enc = decode(raw, path.name)
    if not text.strip():
        raise IntakeError(
            [Problem("file.empty", "the file is empty", "send the file with its data", file=path.name)]
        )
    delim = delimiter or sniff_delimiter(text)
    try:
        with warnings.catch_warnings():  # rows longer than the header are reported below
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=delim,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skiprows=header_row - 1,
                skip_blank_lines=False,
                index_col=False,  # a row longer than the header must not become the index
                engine="python" if len(delim) > 1 else "c",
            )
    except (pd.errors.ParserError, ValueError) as exc:
        raise IntakeError(
            [
                Problem(
                    "file.unparseable",
                    f"the CSV cannot be parsed: {exc}",
                    "check quoting and delimiters",
                    file=path.name,
                )
            ]
        ) from None
    # pandas renames a repeated header ("year", "year.1"); check the header as written instead.
    lines = text.splitlines()
    raw_header = (
        next(csv.reader([lines[header_row - 1]], delimiter=delim), []) if len(lines) >= header_row else []
    )
    long_rows = _rows_longer_than(text, delim, header_row, len(raw_header))
    if long_rows:
        raise IntakeError(
            [
                Problem(
                    "row.too_many_cells",
                    f"the row has {n} cells but the header has {len(raw_header)}: the extra cells would be lost",
                    "remove the extra cells or add a header for them (check for a stray delimiter)",
                    file=path.name,
                    row=row,
                )
                for row, n in long_rows[:50]
            ]
        )
    if len(raw_header) == len(frame.columns):
        frame.columns = [
            raw.strip() or str(name) for raw, name in zip(raw_header, frame.columns, strict=True)
        ]
    frame = clean_headers(frame, path.name, None, header_row)
    frame = frame.loc[~(frame == "").all(axis=1)] if len(frame.columns) else frame
    return Table(frame, path.name, None, header_row, enc, delim)


def _rows_longer_than(text: str, delim: str, header_row: int, width: int) -> list[tuple[int, int]]:
    """(row, cells) of data rows with non-blank cells beyond the header's width."""
    out = []
    for i, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delim), start=1):
        if i > header_row and len(cells) > width and any(c.strip() for c in cells[width:]):
            out.append((i, len(cells)))
    return out


def clean_headers(frame: pd.DataFrame, file: str, sheet: str | None, header_row: int) -> pd.DataFrame:
    frame.columns = clean_header_names(list(frame.columns), file, sheet, header_row)
    return frame


def clean_header_names(names: list[object], file: str, sheet: str | None, header_row: int) -> list[str]:
    """Header names stripped (and without a byte-order mark); a repeated name is an error."""
    cols = [str(c).strip().lstrip("\ufeff") for c in names]
    seen: dict[str, int] = {}
    dupes = []
    for c in cols:
        seen[c] = seen.get(c, 0) + 1
        if seen[c] == 2 and c and not c.startswith("Unnamed"):
            dupes.append(c)
    if dupes:
        raise IntakeError(
            [
                Problem(
                    "header.duplicate",
                    f"the header repeats the column {d!r}",
                    "give every column a distinct name",
                    file=file,
                    sheet=sheet,
                    row=header_row,
                    column=d,
                )
                for d in dupes
            ]
        )
    return cols


def excel_sheets(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception as exc:  # calamine raises its own error types for broken files
        raise IntakeError(
            [
                Problem(
                    "file.unreadable",
                    f"the workbook cannot be opened: {exc}",
                    "save it again as .xlsx",
                    file=path.name,
                )
            ]
        ) from None


def excel_rows(path: Path, sheet: str) -> list[list[str]]:
    """All rows of one sheet as text (calamine: fast, no per-cell Python loop in the reader)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return [[cell_text(v) for v in r] for r in rows]


def cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


# Python's str.strip() whitespace as an RE2 class: stripping it in SQL gives cell_text's text.
_WHITESPACE = r"[\t-\r\x1c-\x20\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
SHEET_ROW = "__sheet_row"  # the 1-based sheet row of each row of excel_sheet_arrow's table


def excel_sheet_arrow(path: Path, sheet: str) -> pa.Table:
    """Every cell of one sheet as text, columnar (fastexcel: calamine into Arrow, no Python loop).

    Row ``k`` of the table is the sheet's row ``k + 1`` (column ``SHEET_ROW`` holds it); blank cells
    are null. The last sheet read is kept, so format detection and loading parse a workbook once
    (:func:`forget_excel_sheets` drops it). Cells are raw text: pass them through
    :func:`excel_text_sql` (or :func:`excel_head` for the first rows) to get what :func:`excel_rows`
    gives."""
    stat = path.stat()
    return _sheet_arrow(str(path.resolve()), stat.st_mtime_ns, stat.st_size, sheet, path.name)


@functools.lru_cache(maxsize=1)
def _sheet_arrow(path: str, _mtime: int, _size: int, sheet: str, name: str) -> pa.Table:
    import fastexcel
    import numpy as np
    import pyarrow as pa

    try:
        # skip_rows=0: leading blank rows are kept, so row numbers are the sheet's.
        loaded = fastexcel.read_excel(path).load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string")
        table = pa.Table.from_batches([loaded.to_arrow()])
    except fastexcel.FastExcelError as exc:
        raise IntakeError(
            [Problem("file.unreadable", f"the workbook cannot be opened: {exc}".split("\n")[0],
                     "save it again as .xlsx", file=name, sheet=sheet)]
        ) from None  # fmt: skip
    # From the buffer: pa.array(ndarray) would import pandas (a second) to check for its types.
    rows = pa.py_buffer(np.arange(1, table.num_rows + 1, dtype=np.int64))
    return table.append_column(SHEET_ROW, pa.Array.from_buffers(pa.int64(), table.num_rows, [None, rows]))


@dataclass
class SheetText:
    """A sheet of :func:`excel_sheet_arrow` with its header found: ``columns`` maps each non-blank
    header (cleaned) to its Arrow column; data rows are those below ``header_row``."""

    cells: pa.Table
    file: str
    sheet: str
    header_row: int  # 1-based row of the header
    columns: dict[str, str]


def sheet_text(cells: pa.Table, file: str, sheet: str, header_row: int) -> SheetText:
    """The sheet with its header at ``header_row`` (1-based); a repeated header is an error."""
    header = excel_head(cells, header_row)[header_row - 1]
    named = [(h, c) for h, c in zip(header, cells.column_names, strict=False) if h]
    names = clean_header_names([h for h, _ in named], file, sheet, header_row)
    return SheetText(cells, file, sheet, header_row, dict(zip(names, (c for _, c in named), strict=True)))


def forget_excel_sheets() -> None:
    """Drop the sheet :func:`excel_sheet_arrow` keeps (once its rows are loaded elsewhere)."""
    _sheet_arrow.cache_clear()


def excel_text_sql(column_sql: str) -> str:
    """SQL for the text :func:`cell_text` gives for a cell of :func:`excel_sheet_arrow`: stripped as
    Python strips, blank as NULL, a date without a time as YYYY-MM-DD and a time of day as HH:MM:SS
    (fastexcel writes both as a timestamp). Booleans read "true"/"false", and non-integer numbers
    keep at most 9 decimals (fastexcel's text for them)."""
    c = column_sql
    return (
        f"case when {c} like '1899-12-31 __:__:__' then substr({c}, 12) "
        f"when {c} like '____-__-__ 00:00:00' then substr({c}, 1, 10) "
        # Most cells start and end with a printable ASCII character: nothing to strip (fast path).
        f"when ascii({c}) between 33 and 126 and ascii(right({c}, 1)) between 33 and 126 then {c} "
        f"else nullif({_strip_sql(c)}, '') end"
    )


def excel_blank_sql(column_sql: str) -> str:
    """SQL: the cell of :func:`excel_sheet_arrow` is blank (null or only whitespace)."""
    return f"({excel_text_sql(column_sql)}) is null"


def _strip_sql(c: str) -> str:
    return f"regexp_replace({c}, '^{_WHITESPACE}+|{_WHITESPACE}+$', '', 'g')"


def excel_head(cells: pa.Table, rows: int = 30) -> list[list[str]]:
    """The first ``rows`` rows of :func:`excel_sheet_arrow`'s table as :func:`excel_text_sql` reads
    them ("" for blank), for finding the header."""
    head = cells.slice(0, rows).drop_columns([SHEET_ROW])
    return [[_head_text(v) for v in r] for r in zip(*(c.to_pylist() for c in head.columns), strict=True)]


_TIME_OF_DAY = re.compile(r"1899-12-31 ..:..:..", re.DOTALL)  # as excel_text_sql's like patterns
_MIDNIGHT = re.compile(r"....-..-.. 00:00:00", re.DOTALL)


def _head_text(v: str | None) -> str:
    if v is None:
        return ""
    if _TIME_OF_DAY.fullmatch(v):
        return v[11:]
    if _MIDNIGHT.fullmatch(v):
        return v[:10]
    return v.strip()


def find_header(rows: list[list[str]], wanted: set[str], max_scan: int = 30) -> int | None:
    """Index of the first row (within ``max_scan``) holding at least half of the ``wanted`` headers
    (compared case-insensitively): banner rows above the header are skipped."""
    need = max(2, len(wanted) // 2)
    for i, r in enumerate(rows[:max_scan]):
        names = {c.strip().casefold() for c in r if c}
        if len(names & wanted) >= need:
            return i
    return None


def read_excel_table(path: Path, sheet: str | None, wanted: set[str], header_row: int | None = None) -> Table:
    """The first sheet (or ``sheet``) whose header holds most of ``wanted``; ``header_row`` (1-based)
    fixes the header's row instead of searching for it."""
    forget_excel_sheets()  # this reader goes through calamine rows: the Arrow copy from detection is not used
    sheets = excel_sheets(path)
    candidates = [sheet] if sheet else sheets
    for name in candidates:
        if name not in sheets:
            raise IntakeError(
                [
                    Problem(
                        "file.sheet",
                        f"the workbook has no sheet {name!r}",
                        f"use one of {sheets}",
                        file=path.name,
                    )
                ]
            )
        rows = excel_rows(path, name)
        h = header_row - 1 if header_row else find_header(rows, {w.casefold() for w in wanted})
        if h is None or h >= len(rows):
            continue
        width = max((len(r) for r in rows), default=0)
        body = [r + [""] * (width - len(r)) for r in rows[h + 1 :]]
        header = rows[h] + [""] * (width - len(rows[h]))
        frame = (
            pd.DataFrame(body, columns=header, dtype=str) if body else pd.DataFrame(columns=header, dtype=str)
        )
        frame = frame.loc[:, [bool(c) for c in header]]
        frame = clean_headers(frame, path.name, name, h + 1)
        frame = frame.loc[~(frame == "").all(axis=1)]
        return Table(frame, path.name, name, h + 1)
    raise IntakeError(
        [
            Problem(
                "header.missing",
                f"no sheet has the expected header (looked for {sorted(wanted)})",
                "check the format name, or put the header in the first 30 rows",
                file=path.name,
            )
        ]
    )


def read_table(path: Path, wanted: set[str], sheet: str | None = None, delimiter: str | None = None) -> Table:
    """Read a CSV or a workbook sheet whose header contains (most of) ``wanted``."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return read_excel_table(path, sheet, wanted)
    try:
        table = read_csv_text(path, delimiter)
    except IntakeError as exc:  # banner lines with fewer fields than the header break the parser
        table, error = None, exc
    lowered = {c.casefold() for c in table.frame.columns} if table is not None else set()
    if not lowered & {w.casefold() for w in wanted}:
        # Banner lines above the header: find it (banner text may fool the delimiter sniffer,
        # so try each delimiter), then read again from there.
        text, _ = decode(path.read_bytes(), path.name)
        sniffed = table.delimiter if table is not None else sniff_delimiter(text)
        for delim in dict.fromkeys([delimiter or sniffed, ",", ";", "\t", "|"]):
            rows = list(csv.reader(io.StringIO(text), delimiter=delim))[:30]
            h = find_header([[c.strip() for c in r] for r in rows], {w.casefold() for w in wanted})
            if h is not None:
                return read_csv_text(path, delim, header_row=h + 1)
        if table is None:
            raise error
    return table


def header_preview(path: Path) -> list[str]:
    """The first row that looks like a header, for format detection."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        sheets = excel_sheets(path)
        rows = excel_head(excel_sheet_arrow(path, sheets[0])) if sheets else []
        best = max(rows[:30], key=lambda r: sum(1 for c in r if c), default=[])
        return [c for c in best if c]
    text, _ = decode(path.read_bytes()[:65536], path.name)
    delim = sniff_delimiter(text)
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))[:30]
    best = max(rows, key=lambda r: sum(1 for c in r if c.strip()), default=[])
    return [c.strip().lstrip("\ufeff") for c in best if c.strip()]
