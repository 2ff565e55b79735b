"""tipdw's own aggregate template (long layout): one row per country, year, indicator and cell.

Columns: country, year, indicator, sex, age_group, form_of_exploitation, citizenship, value,
and optionally unit, obs_status, conf_status, estimate_type, additive, note. ``tipdw template
aggregates`` writes a blank, annotated copy.
"""

from __future__ import annotations

from pathlib import Path

from ingest.lazy import pandas as pd
from ingest.problems import Problem, Problems
from ingest.readers.base import (
    Context,
    ReadResult,
    aggregate_frame,
    column,
    flags,
    header_score,
    parse_values,
    parse_years,
    require_columns,
    resolve_countries,
)
from ingest.tabular import Table, read_table

BREAKDOWNS = {
    "sex": "sex_code",
    "age_group": "age_code",
    "form_of_exploitation": "form_code",
    "citizenship": "citizenship_code",
}
REQUIRED = ["country", "year", "indicator", "value"]
# Submission metadata (one value per file, repeated on every row or given on the first): recorded
# in raw.submissions.metadata and carried into comparable_counts.comparability_note.
METADATA = ["definition_of_victim", "counting_unit"]
OPTIONAL = [*BREAKDOWNS, "unit", "obs_status", "conf_status", "estimate_type", "additive", "note", *METADATA]


class TemplateAggregates:
    name = "template-aggregates"
    description = "tipdw aggregate template (CSV or XLSX, long layout)"
    source = "national"

    def score(self, headers: list[str]) -> float:
        return header_score(headers, set(REQUIRED), set(OPTIONAL))

    def read(self, path: Path, ctx: Context) -> ReadResult:
        return self.from_table(read_table(path, set(REQUIRED) | set(OPTIONAL), sheet=ctx.sheet), ctx)

    def from_table(self, table: Table, ctx: Context) -> ReadResult:
        """Canonical rows from a table with the template's columns (also used by mapping files)."""
        problems = Problems()
        fix = "use the columns of `tipdw template aggregates`"
        if not require_columns(table, REQUIRED, problems, fix):
            return ReadResult({}, problems, len(table.frame))
        rows = pd.Series(table.frame.index + table.header_row + 1, index=table.frame.index, dtype="int64")
        country = resolve_countries(column(table, "country"), table, "country", problems, rows)
        codes = {}
        for col, target in BREAKDOWNS.items():
            vals = column(table, col, default="total")
            for i in vals.index[vals == ""][:50]:
                problems.add(
                    Problem(
                        "code.blank",
                        f"the {col} is blank",
                        "write the category, or 'total' for the total row",
                        file=table.file,
                        sheet=table.sheet,
                        row=int(rows[i]),
                        column=col,
                    )
                )
            codes[target] = vals
        indicator = column(table, "indicator")
        for i in indicator.index[indicator == ""][:50]:
            problems.add(
                Problem(
                    "code.blank",
                    "the indicator is blank",
                    "write an indicator code such as detected_victims",
                    file=table.file,
                    sheet=table.sheet,
                    row=int(rows[i]),
                    column="indicator",
                )
            )
        value_text = column(table, "value")
        values = parse_values(value_text, table, "value", problems, rows, ctx.decimal)
        estimate = column(table, "estimate_type", default="detected").str.lower().replace("", "detected")
        for i in estimate.index[~estimate.isin(["detected", "estimated"])][:50]:
            problems.add(
                Problem(
                    "code.invalid",
                    "estimate_type must be 'detected' or 'estimated'",
                    "detected: counted by authorities; estimated: e.g. multiple systems estimation",
                    file=table.file,
                    sheet=table.sheet,
                    row=int(rows[i]),
                    column="estimate_type",
                    value=estimate[i],
                )
            )
        additive = column(table, "additive").str.lower().map({"yes": True, "true": True, "1": True,
                                                               "no": False, "false": False, "0": False})  # fmt: skip
        frame = aggregate_frame(
            source_format=pd.Series(self.name, index=table.frame.index),
            row_number=rows,
            sheet=pd.Series(table.sheet, index=table.frame.index, dtype=object),
            country_iso3=country,
            year=parse_years(column(table, "year"), table, "year", problems, rows),
            indicator_code=indicator,
            **codes,
            citizenship_iso3=pd.Series(None, index=table.frame.index, dtype=object),
            unit_code=column(table, "unit", default="persons").replace("", "persons"),
            value=values["value"],
            value_lower=values["value_lower"],
            value_upper=values["value_upper"],
            value_text=value_text,
            obs_status=flags(column(table, "obs_status")),
            conf_status=flags(column(table, "conf_status")),
            estimate_type=estimate,
            is_additive=additive,
            note=column(table, "note"),
        )
        metadata = {k: "; ".join(sorted({v for v in column(table, k) if v and v != "nan"})) for k in METADATA}
        metadata = {k: v for k, v in metadata.items() if v}
        return ReadResult({"aggregates": frame}, problems, len(table.frame), metadata=metadata)
