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
AGGREGATE_NOTE = (
    "One row per cell; each breakdown's total is its own row with the code 'total'. Blank value = unknown, "
    "0 = none, '<5' = suppressed at source (kept as 0-4), '1,282' = 1282. Codes may be the standard codes or "
    "your own labels mapped by crosswalk rows."
)
AGGREGATE_COLUMNS = (
    TemplateColumn("country", "Country: ISO3 or ISO2 code (NA is Namibia), M49 number, or name in a UN "
                   "language", "KEN", True),
    TemplateColumn("year", "Calendar year of identification or registration", "2024", True),
    TemplateColumn("indicator", "detected_victims, persons_in_formal_contact, persons_prosecuted, "
                   "persons_convicted or offences", "detected_victims", True),
    TemplateColumn("sex", "female, male, other, unknown or total (blank column: total)", "female"),
    TemplateColumn("age_group", "child (0-17), adult (18+), unknown or total; national bands that do not "
                   "straddle 18 are accepted", "child"),
    TemplateColumn("form_of_exploitation", "sexual_exploitation, forced_labour, forced_criminal_activity, "
                   "begging, forced_marriage, organ_removal, mixed, other, unknown or total", "total"),
    TemplateColumn("citizenship", "nationals, foreign, unknown or total", "total"),
    TemplateColumn("value", "The count: blank = unknown, 0 = none, <5 = suppressed at source", "42", True),
    TemplateColumn("unit", "persons (default), cases or offences", "persons"),
    TemplateColumn("obs_status", "SDMX observation status flags, e.g. A, E, P, or several: B,P", ""),
    TemplateColumn("conf_status", "SDMX confidentiality: F free, C confidential, N not for publication", ""),
    TemplateColumn("estimate_type", "detected (default) or estimated (e.g. multiple systems estimation)",
                   "detected"),
    TemplateColumn("additive", "yes if the parts add up to the total, no if some categories are unpublished",
                   "yes"),
    TemplateColumn("note", "Free text: definitions, coverage, breaks in series", ""),
)  # fmt: skip
POPULATION_COLUMNS = (
    TemplateColumn("country", "Country: ISO3 or ISO2 code, M49 number, or name in a UN language", "KEN", True),
    TemplateColumn("year", "Calendar year", "2024", True),
    TemplateColumn("sex", "female, male or total", "total", True),
    TemplateColumn("age_group", "child (0-17), adult (18+) or total", "total", True),
    TemplateColumn("population", "Mid-year population of the group (a whole number)", "55100000", True),
)  # fmt: skip
TEMPLATES: dict[str, TemplateSpec] = {
    "aggregates": TemplateSpec("aggregates", "aggregate counts, one row per cell (long layout)",
                               "template-aggregates", AGGREGATE_COLUMNS, AGGREGATE_NOTE),
    "population": TemplateSpec("population", "population by country, year, sex and age group",
                               "template-population", POPULATION_COLUMNS),
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
