"""The template registry: every blank, annotated template that ``tipdw template KIND --out FILE`` writes.

``TEMPLATES`` maps a KIND to its spec: the columns (name, description, example, required) and the
format name that reads the filled-in file. A ``.csv`` gets the header row only; an
``.xlsx`` gets the header, the example row and a ``dictionary`` sheet describing every column.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ingest.readers.casework import CASE_FIELDS, SUSPECT_FIELDS, VICTIM_FIELDS
from ingest.readers.sqlsource import Field


@dataclass(frozen=True)
class TemplateColumn:
    name: str
    description: str
    example: str = ""
    required: bool = False


@dataclass(frozen=True)
class TemplateSpec:
    kind: str
    description: str
    reader: str  # the --format name that reads the filled-in template
    columns: tuple[TemplateColumn, ...]
    note: str = ""


def _from_fields(fields: list[Field]) -> tuple[TemplateColumn, ...]:
    return tuple(TemplateColumn(f.name, f.description, f.example, f.required) for f in fields)


CASE_NOTE = (
    "Case-level data: direct identifiers (names, dates of birth, addresses, phone numbers, e-mail, document "
    "and case file numbers) are dropped at intake; ids are stored only as keyed pseudonyms."
)
TEMPLATES: dict[str, TemplateSpec] = {
    "victims": TemplateSpec("victims", "one row per identified victim", "template-victims",
                            _from_fields(VICTIM_FIELDS), CASE_NOTE),
    "suspects": TemplateSpec("suspects", "one row per suspect/offender and criminal-justice stage",
                             "template-suspects", _from_fields(SUSPECT_FIELDS), CASE_NOTE),
    "cases": TemplateSpec("cases", "one row per case, with its stage and modus operandi", "template-cases",
                          _from_fields(CASE_FIELDS), CASE_NOTE),
}  # fmt: skip


def write_template(kind: str, out: Path) -> Path:
    """Write the blank template ``kind`` to ``out`` (.csv or .xlsx); return the path."""
    spec = TEMPLATES[kind]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    header = [c.name for c in spec.columns]
    example = [c.example for c in spec.columns]
    if out.suffix.lower() == ".xlsx":
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(out))
        bold = wb.add_format({"bold": True})
        ws = wb.add_worksheet(kind)
        ws.write_row(0, 0, header, bold)
        ws.write_row(1, 0, example)
        for i, c in enumerate(spec.columns):
            ws.write_comment(0, i, c.description)
        doc = wb.add_worksheet("dictionary")
        doc.write_row(0, 0, ["column", "required", "description", "example"], bold)
        for i, c in enumerate(spec.columns, start=1):
            doc.write_row(i, 0, [c.name, "yes" if c.required else "no", c.description, c.example])
        if spec.note:
            doc.write(len(spec.columns) + 2, 0, spec.note)
        wb.close()
    else:
        with out.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)  # blank: the column dictionary is in the .xlsx and in the README
    return out
