"""Steps shared by the aggregate readers of published layouts (GLOTIP, SDMX, Open SDG, Eurostat).

Each reader turns its layout into text columns (codes kept as submitted); ``aggregates`` then
parses years and values, resolves countries and assembles the canonical rows of
``AGGREGATE_COLUMNS``. Codes are mapped to the standard later, in staging, through the seed
``code_crosswalk``.
"""

from __future__ import annotations

from ingest.lazy import pandas as pd
from ingest.problems import Problem, Problems
from ingest.readers.base import aggregate_frame, flags, parse_values, parse_years
from ingest.tabular import Table

# Units that are not counts of persons (rates, shares): tipdw derives its own rates from counts.
_RATE_MARKERS = ("rate", "per ", "100", "%", "percent", "p_", "pc_")


def file_rows(table: Table) -> pd.Series:
    """The row each data row has in the file as a person sees it (blank rows keep their number)."""
    return pd.Series(table.frame.index + table.header_row + 1, index=table.frame.index, dtype="int64")


def subset(table: Table, keep: pd.Series) -> Table:
    """The rows of ``table`` where ``keep`` is true, keeping their file row numbers."""
    return Table(table.frame.loc[keep.values], table.file, table.sheet, table.header_row,
                 table.encoding, table.delimiter)  # fmt: skip


def is_rate(unit: pd.Series) -> pd.Series:
    """True where a unit label or code is a rate or share rather than a count."""
    low = unit.str.casefold()
    return pd.Series([any(m in u for m in _RATE_MARKERS) for u in low], index=unit.index, dtype=bool)


def warn_skipped(
    problems: Problems, table: Table, rule: str, what: str, values: pd.Series, column: str, fix: str
) -> None:
    """One warning naming the distinct ``values`` of the rows that were skipped."""
    if values.empty:
        return
    names = sorted(set(values))
    problems.add(
        Problem(
            rule,
            f"{len(values)} rows {what} were skipped: " + ", ".join(names[:40])
            + (" ..." if len(names) > 40 else ""),
            fix,
            file=table.file,
            sheet=table.sheet,
            column=column,
            severity="warning",
        )
    )  # fmt: skip


def constant(table: Table, value: object) -> pd.Series:
    """A column holding ``value`` on every row of ``table``."""
    return pd.Series([value] * len(table.frame), index=table.frame.index, dtype=object)


def aggregates(  # noqa: PLR0913 - one argument per canonical column
    source_format: str,
    table: Table,
    problems: Problems,
    *,
    rows: pd.Series,
    country_iso3: pd.Series,
    year: pd.Series,
    indicator: pd.Series,
    sex: pd.Series,
    age: pd.Series,
    form: pd.Series,
    citizenship: pd.Series,
    value_text: pd.Series,
    value_column: str,
    year_column: str,
    citizenship_iso3: pd.Series | None = None,
    unit: pd.Series | None = None,
    obs_status: pd.Series | None = None,
    conf_status: pd.Series | None = None,
    estimate_type: str = "detected",
    is_additive: bool | None = None,
    note: pd.Series | None = None,
    decimal: str = ".",
) -> pd.DataFrame:
    """Canonical aggregate rows from text columns; bad years and values become problems."""
    values = parse_values(value_text, table, value_column, problems, rows, decimal)
    none = constant(table, None)
    return aggregate_frame(
        source_format=constant(table, source_format),
        row_number=rows,
        sheet=constant(table, table.sheet),
        country_iso3=country_iso3,
        year=parse_years(year, table, year_column, problems, rows),
        indicator_code=indicator,
        sex_code=sex,
        age_code=age,
        form_code=form,
        citizenship_code=citizenship,
        citizenship_iso3=none if citizenship_iso3 is None else citizenship_iso3,
        unit_code=constant(table, "persons") if unit is None else unit,
        value=values["value"],
        value_lower=values["value_lower"],
        value_upper=values["value_upper"],
        value_text=value_text,
        obs_status=none if obs_status is None else flags(obs_status),
        conf_status=none if conf_status is None else flags(conf_status),
        estimate_type=constant(table, estimate_type),
        is_additive=constant(table, is_additive),
        note=none if note is None else note,
    )
