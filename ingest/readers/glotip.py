"""UNODC GLOTIP bulk layout (domain.md §5a): an .xlsx with banner rows above the header, or a .csv.

Columns: Iso3_code, Country, Region, Subregion, Indicator, Dimension, Category, Sex, Age, Year,
Unit of measurement, txtVALUE, Source. How each Dimension becomes canonical rows:

- ``Total``: every breakdown other than sex and age is ``total``;
- ``by form of exploitation``: the form is the Category ("Sexual exploitation", ...);
- ``by citizenship``: ``nationals`` when the Category is "Nationals", ``unknown`` when it is
  "Unknown", otherwise ``foreign`` with the citizenship country's ISO3 resolved from the Category
  name (names in the six UN languages; unresolvable names are errors with suggestions);
- ``by country of repatriation``: nationals of the reporting country repatriated from another
  country are not a cell of the comparable grain. They are kept in raw, loss-free, with the
  indicator code ``repatriated_victims:<ISO3>`` (``repatriated_victims:abroad`` for "Abroad") and
  the Category in ``note``. No crosswalk row maps that code, so staging leaves their indicator
  null and they never reach the standard grain, yet each keeps a distinct cell key.

Codes that are not countries (regional or sub-national aggregates, which have a blank Region) are
skipped with a warning naming them. Rows whose unit is a rate are skipped with a warning: tipdw
derives rates from counts and population.
"""

from __future__ import annotations

from pathlib import Path

from ingest.countries import resolver
from ingest.lazy import pandas as pd
from ingest.problems import Problem, Problems
from ingest.readers.base import Context, ReadResult, column, header_score, require_columns, resolve_countries
from ingest.readers.canonical import aggregates, constant, file_rows, is_rate, subset, warn_skipped
from ingest.tabular import read_table

COLUMNS = ["Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension", "Category", "Sex",
           "Age", "Year", "Unit of measurement", "txtVALUE", "Source"]  # fmt: skip
REQUIRED = ["Iso3_code", "Indicator", "Dimension", "Category", "Sex", "Age", "Year", "txtVALUE"]
DIMENSIONS = ("total", "by form of exploitation", "by citizenship", "by country of repatriation")
# Category labels that name a group of countries rather than one country.
FOREIGN_GROUPS = {"foreign", "foreigners", "other countries", "other", "abroad"}


class UnodcGlotip:
    name = "unodc-glotip"
    description = "UNODC GLOTIP bulk layout (xlsx with banner rows, or csv): Iso3_code ... txtVALUE"
    source = "unodc_glotip"

    def score(self, headers: list[str]) -> float:
        return header_score(headers, set(REQUIRED), set(COLUMNS) - set(REQUIRED))

    def read(self, path: Path, ctx: Context) -> ReadResult:
        table = read_table(path, set(COLUMNS), sheet=ctx.sheet)
        problems = Problems()
        if not require_columns(table, REQUIRED, problems, "export the UNODC data portal's bulk layout"):
            return ReadResult({}, problems, len(table.frame))
        rows_read = len(table.frame)
        code = column(table, "Iso3_code").str.upper()
        not_country = ~code.map(resolver().is_iso3).astype(bool) & (column(table, "Region") == "")
        warn_skipped(problems, table, "glotip.aggregate_skipped", "for codes that are not countries",
                     code[not_country], "Iso3_code",
                     "nothing to do; tipdw builds regional aggregates from country rows")  # fmt: skip
        unit = column(table, "Unit of measurement")
        rate = is_rate(unit) & ~not_country
        warn_skipped(problems, table, "glotip.rate_skipped", "with a rate unit", unit[rate],
                     "Unit of measurement", "nothing to do; tipdw derives rates from counts")  # fmt: skip
        table = subset(table, ~not_country & ~rate)
        rows = file_rows(table)

        dimension = column(table, "Dimension").str.casefold()
        for i in dimension.index[~dimension.isin(DIMENSIONS)][:50]:
            problems.add(Problem("glotip.dimension", "the Dimension is not one of the GLOTIP dimensions",
                                 "use Total, by form of exploitation, by citizenship or by country of repatriation",
                                 file=table.file, sheet=table.sheet, row=int(rows[i]), column="Dimension",
                                 value=column(table, "Dimension")[i]))  # fmt: skip
        category = column(table, "Category")
        by_form = dimension == "by form of exploitation"
        by_cit = dimension == "by citizenship"
        repat = dimension == "by country of repatriation"
        cat_low = category.str.casefold()
        named = (by_cit | repat) & ~cat_low.isin({"nationals", "unknown", *FOREIGN_GROUPS})
        iso3 = constant(table, None)
        if named.any():
            iso3[named] = resolve_countries(category[named], table, "Category", problems, rows[named])
        citizenship = pd.Series("total", index=table.frame.index, dtype=object)
        citizenship[by_cit] = "foreign"
        citizenship[by_cit & (cat_low == "nationals")] = "nationals"
        citizenship[by_cit & (cat_low == "unknown")] = "unknown"
        citizenship[repat] = "nationals"
        indicator = column(table, "Indicator").astype(object)
        indicator[repat] = "repatriated_victims:" + iso3[repat].fillna("abroad")
        note = column(table, "Source").astype(object)
        note[repat] = "by country of repatriation: " + category[repat]

        frame = aggregates(
            self.name, table, problems, rows=rows,
            country_iso3=resolve_countries(code[~not_country & ~rate], table, "Iso3_code", problems, rows),
            year=column(table, "Year"), indicator=indicator,
            sex=column(table, "Sex"), age=column(table, "Age"),
            form=category.where(by_form, "total"), citizenship=citizenship,
            citizenship_iso3=iso3.where(by_cit, None),
            unit=unit[~not_country & ~rate].replace("", "Counts"),
            value_text=column(table, "txtVALUE"), value_column="txtVALUE", year_column="Year",
            note=note, decimal=ctx.decimal,
        )  # fmt: skip
        return ReadResult({"aggregates": frame}, problems, rows_read)
