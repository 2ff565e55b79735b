"""Population: tipdw's by-sex/by-age template and the World Bank CSV layout.

World Bank files include aggregates (WLD, EUU, HIC, ...) that are not countries: they are skipped
and named in a warning, never loaded as if they were countries.
"""

from __future__ import annotations

from pathlib import Path

from ingest.countries import resolver
from ingest.lazy import pandas as pd
from ingest.problems import Problem, Problems
from ingest.readers.base import (
    POPULATION_COLUMNS,
    Context,
    ReadResult,
    column,
    header_score,
    parse_values,
    parse_years,
    require_columns,
    resolve_countries,
)
from ingest.tabular import Table, read_table


def _rows(table: Table) -> pd.Series:
    return pd.Series(
        [table.row_number(i) for i in range(len(table.frame))], index=table.frame.index, dtype="int64"
    )


def _finish(name: str, table: Table, problems: Problems, country, year, sex, age, text) -> ReadResult:
    rows = _rows(table)
    values = parse_values(text, table, "population", problems, rows)
    for i in values.index[values["value"].isna()][:50]:
        problems.add(
            Problem(
                "population.missing",
                "the population is blank or not a number",
                "write the mid-year population as a whole number",
                file=table.file,
                sheet=table.sheet,
                row=int(rows[i]),
                column="population",
                value=text[i],
            )
        )
    frame = pd.DataFrame(
        {
            "source_format": name,
            "row_number": rows,
            "country_iso3": country,
            "year": year,
            "sex_code": sex,
            "age_code": age,
            "population": values["value"],
        }
    )[POPULATION_COLUMNS]
    return ReadResult({"population": frame}, problems, len(table.frame))


class TemplatePopulation:
    name = "template-population"
    description = "tipdw population template: country, year, sex, age_group, population"
    source = "national"
    required = ["country", "year", "sex", "age_group", "population"]

    def score(self, headers: list[str]) -> float:
        return header_score(headers, set(self.required))

    def read(self, path: Path, ctx: Context) -> ReadResult:
        return self.from_table(read_table(path, set(self.required), sheet=ctx.sheet), ctx)

    def from_table(self, table: Table, ctx: Context) -> ReadResult:
        """Canonical rows from a table with the template's columns (also used by mapping files)."""
        problems = Problems()
        if not require_columns(
            table, self.required, problems, "use the columns of `tipdw template population`"
        ):
            return ReadResult({}, problems, len(table.frame))
        rows = _rows(table)
        return _finish(
            self.name,
            table,
            problems,
            resolve_countries(column(table, "country"), table, "country", problems, rows),
            parse_years(column(table, "year"), table, "year", problems, rows),
            column(table, "sex").replace("", "total"),
            column(table, "age_group").replace("", "total"),
            column(table, "population"),
        )


class WorldBankPopulation:
    name = "worldbank-population"
    description = "World Bank population CSV (Country Name, Country Code, Year, Value)"
    source = "world_bank"
    required = ["Country Name", "Country Code", "Year", "Value"]

    def score(self, headers: list[str]) -> float:
        return header_score(headers, set(self.required))

    def read(self, path: Path, ctx: Context) -> ReadResult:
        table = read_table(path, set(self.required), sheet=ctx.sheet)
        problems = Problems()
        if not require_columns(table, self.required, problems, "export the World Bank indicator as CSV"):
            return ReadResult({}, problems, len(table.frame))
        codes = column(table, "Country Code").str.upper()
        known = codes.map(lambda c: resolver().is_iso3(c))
        skipped = sorted(set(codes[~known]))
        if skipped:
            problems.add(
                Problem(
                    "population.aggregate_skipped",
                    f"{len(skipped)} codes are regional or income aggregates, not countries, and were skipped: "
                    + ", ".join(skipped[:40]),
                    "nothing to do; load regional figures through tipdw's own regional aggregates",
                    file=table.file,
                    column="Country Code",
                    severity="warning",
                )
            )
        table = Table(
            table.frame.loc[known].reset_index(drop=True), table.file, table.sheet, table.header_row
        )
        rows_read = int(len(codes))
        rows = pd.Series([int(r) for r in (codes.index[known] + table.header_row + 1)], dtype="int64")
        text = column(table, "Value")
        blank = text == ""
        table = Table(
            table.frame.loc[~blank].reset_index(drop=True), table.file, table.sheet, table.header_row
        )
        rows = rows[~blank.values].reset_index(drop=True)
        country = resolve_countries(column(table, "Country Code"), table, "Country Code", problems, rows)
        result = _finish(
            self.name,
            table,
            problems,
            country,
            parse_years(column(table, "Year"), table, "Year", problems, rows),
            "total",
            "total",
            column(table, "Value"),
        )
        result.tables["population"]["row_number"] = rows.values
        result.rows_read = rows_read
        return result
