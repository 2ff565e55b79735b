"""Open SDG national reporting CSV (domain.md §5c), as published by ONS and other national SDG
platforms: Year, Series, Sex, Age, Units, Observation status, Value.

- The file has no country column: ``--country ISO3`` is required.
- An empty Sex or Age means the total (``total``).
- The Series code carries both the indicator and the form of exploitation (VC_HTF_DETV total,
  VC_HTF_DETVFL forced labour, ...SX sexual, ...OG organ removal, ...OP other): the reader keeps it
  as both the indicator and the form code, and crosswalk rows (source_format ``open-sdg``) map it.
- Published parts need not add up to the total (unpublished categories): rows are marked
  ``is_additive = false``.
- Rows with a value in another disaggregation column (e.g. a sub-national region) and rows in a
  rate unit are skipped with a warning: they are not cells of the national comparable grain.
"""

from __future__ import annotations

from pathlib import Path

from ingest.countries import resolver
from ingest.problems import IntakeError, Problem, Problems
from ingest.readers.base import Context, ReadResult, column, header_score, require_columns
from ingest.readers.canonical import aggregates, constant, file_rows, is_rate, subset, warn_skipped
from ingest.tabular import read_table

REQUIRED = ["Year", "Series", "Value"]
OPTIONAL = ["Sex", "Age", "Units", "Observation status", "Unit multiplier", "Unit measure",
            "Reporting type", "Nature", "COMMENT_OBS"]  # fmt: skip
# Labels of the SDMX code list CL_OBS_STATUS as Open SDG platforms write them.
OBS_STATUS_LABELS = {
    "normal value": "A", "time series break": "B", "break in series": "B", "definition differs": "D",
    "estimated value": "E", "forecast value": "F", "imputed value": "I", "missing value": "M",
    "provisional value": "P", "low reliability": "U", "not significant": "N",
}  # fmt: skip


class OpenSdg:
    name = "open-sdg"
    description = "Open SDG national reporting CSV (Year, Series, Sex, Age, Units, Value); needs --country"
    source = "sdg_platform"

    def score(self, headers: list[str]) -> float:
        return header_score(headers, set(REQUIRED), set(OPTIONAL))

    def read(self, path: Path, ctx: Context) -> ReadResult:
        iso3 = resolver().resolve(ctx.country or "").iso3
        if iso3 is None:
            raise IntakeError([Problem(
                "country.option_required",
                "an Open SDG file has no country column, so the country must be given"
                + (f" (--country {ctx.country!r} is not recognised)" if ctx.country else ""),
                "pass --country with the ISO3 code of the reporting country, e.g. --country GBR",
                file=path.name, column="--country")])  # fmt: skip
        table = read_table(path, set(REQUIRED) | set(OPTIONAL), sheet=ctx.sheet)
        problems = Problems()
        if not require_columns(table, REQUIRED, problems, "export the indicator's CSV from the platform"):
            return ReadResult({}, problems, len(table.frame))
        rows_read = len(table.frame)
        known = {c.casefold() for c in REQUIRED + OPTIONAL}
        keep = constant(table, True).astype(bool)
        for c in table.frame.columns:
            if c.casefold() not in known:
                other = column(table, c) != ""
                warn_skipped(problems, table, "open_sdg.disaggregation_skipped",
                             f"broken down by {c!r} (not part of the national grain)",
                             column(table, c)[other & keep], c, "nothing to do")  # fmt: skip
                keep &= ~other
        units = column(table, "Units")
        rate = is_rate(units) & keep
        warn_skipped(problems, table, "open_sdg.rate_skipped", "with a rate unit", units[rate], "Units",
                     "nothing to do; tipdw derives rates from counts and population")  # fmt: skip
        table = subset(table, keep & ~rate)
        rows = file_rows(table)
        series = column(table, "Series")
        status = column(table, "Observation status")
        frame = aggregates(
            self.name, table, problems, rows=rows, country_iso3=constant(table, iso3),
            year=column(table, "Year"), indicator=series,
            sex=column(table, "Sex").replace("", "total"), age=column(table, "Age").replace("", "total"),
            form=series, citizenship=constant(table, "total"),
            unit=column(table, "Units").replace("", "Number"),
            value_text=column(table, "Value"), value_column="Value", year_column="Year",
            obs_status=status.map(lambda s: OBS_STATUS_LABELS.get(s.casefold(), s)),
            is_additive=False, note=column(table, "COMMENT_OBS"), decimal=ctx.decimal,
        )  # fmt: skip
        return ReadResult({"aggregates": frame}, problems, rows_read)
