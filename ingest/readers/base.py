"""What every reader returns, and the shared steps that turn text columns into canonical rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ingest.countries import resolver
from ingest.lazy import pandas as pd
from ingest.problems import Problem, Problems
from ingest.tabular import Table
from ingest.values import flag_set, parse_count

AGGREGATE_COLUMNS = [
    "source_format", "row_number", "sheet", "country_iso3", "year", "indicator_code", "sex_code",
    "age_code", "form_code", "citizenship_code", "citizenship_iso3", "unit_code", "value",
    "value_lower", "value_upper", "value_text", "obs_status", "conf_status", "estimate_type",
    "is_additive", "note",
]  # fmt: skip
POPULATION_COLUMNS = [
    "source_format",
    "row_number",
    "country_iso3",
    "year",
    "sex_code",
    "age_code",
    "population",
]


@dataclass
class Context:
    """What the submitter told us on the command line."""

    country: str | None = None  # ISO3 the file is about, for layouts without a country column
    sheet: str | None = None
    decimal: str = "."
    # For readers that build their batches in DuckDB (case-level): the intake's in-memory connection
    # and the pseudonym key (ingest.privacy.PseudonymKey). Never stored.
    con: object | None = None
    pseudonym_key: object | None = None
    file_digest: str | None = None  # sha256 of the file (CTDC rows have no id: keyed on file and row)


@dataclass
class ReadResult:
    """Canonical rows per dataset ("aggregates", "population", "victims", ...), plus what was found."""

    tables: dict[str, pd.DataFrame]
    problems: Problems
    rows_read: int
    dropped_columns: list[str] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    action: str = "replace"  # replace | append | delete (SDMX ACTION)
    # Datasets a reader built itself as ``temp.batch_<dataset>`` in ``Context.con`` (SQL readers,
    # no pandas frame): dataset -> rows (None: counted when loaded). Loaded into
    # ``ingest.intake.RAW_TABLES[dataset]`` by name.
    batches: dict[str, int | None] = field(default_factory=dict)


class Reader(Protocol):
    name: str  # the --format name
    description: str
    source: str  # default source label for precedence (national, unodc_glotip, eurostat, ...)

    def score(self, headers: list[str]) -> float:
        """How well a header row matches this layout, 0 (not at all) to 1 (certainly)."""

    def read(self, path: Path, ctx: Context) -> ReadResult: ...


def header_score(headers: list[str], required: set[str], optional: set[str] = frozenset()) -> float:
    """Share of required headers present (case-insensitive); 0 if any required one is missing,
    with a small bonus for optional ones so that the more specific layout wins."""
    have = {h.strip().casefold() for h in headers}
    req = {r.casefold() for r in required}
    if not req <= have:
        return 0.0
    opt = {o.casefold() for o in optional}
    bonus = len(opt & have) / (10 * max(1, len(opt)))
    extra = len(have - req - opt) / (20 * max(1, len(have)))
    return min(1.0, 0.85 + bonus - extra)


def require_columns(table: Table, required: list[str], problems: Problems, fix: str) -> bool:
    have = {c.casefold(): c for c in table.frame.columns}
    missing = [c for c in required if c.casefold() not in have]
    for c in missing:
        problems.add(
            Problem(
                "header.required",
                f"the required column {c!r} is missing (found {list(table.frame.columns)})",
                fix,
                file=table.file,
                sheet=table.sheet,
                row=table.header_row,
                column=c,
            )
        )
    return not missing


def column(table: Table, name: str, default: str = "") -> pd.Series:
    """A column by case-insensitive name, or a column of ``default`` if absent."""
    for c in table.frame.columns:
        if c.casefold() == name.casefold():
            return table.frame[c].astype(str).str.strip()
    return pd.Series([default] * len(table.frame), index=table.frame.index, dtype=str)


def resolve_countries(
    values: pd.Series, table: Table, col: str, problems: Problems, rows: pd.Series
) -> pd.Series:
    """ISO3 for each cell; unresolvable names become problems with suggestions."""
    res = resolver()
    out = {}
    for v in values.unique():
        r = res.resolve(v)
        out[v] = r.iso3
        if r.iso3 is None:
            first = rows[values == v].iloc[0]
            hint = (
                f"did you mean {', '.join(r.suggestions)}?"
                if r.suggestions
                else "use the ISO 3166 alpha-3 code"
            )
            problems.add(
                Problem(
                    "country.unknown",
                    "the country is not recognised" if v else "the country is blank",
                    hint,
                    file=table.file,
                    sheet=table.sheet,
                    row=int(first),
                    column=col,
                    value=v,
                )
            )
    return values.map(out)


def parse_years(values: pd.Series, table: Table, col: str, problems: Problems, rows: pd.Series) -> pd.Series:
    years = pd.to_numeric(values.str.replace(r"\.0$", "", regex=True), errors="coerce")
    this_year = dt.date.today().year
    bad = years.isna() | (years < 1950) | (years > this_year)
    for i in values.index[bad][:200]:
        problems.add(
            Problem(
                "year.invalid",
                f"the year must be a whole number from 1950 to {this_year}",
                "write the calendar year of identification or registration, e.g. 2023",
                file=table.file,
                sheet=table.sheet,
                row=int(rows[i]),
                column=col,
                value=values[i],
            )
        )
    return years.astype("Int64")


def parse_values(
    values: pd.Series, table: Table, col: str, problems: Problems, rows: pd.Series, decimal: str = "."
) -> pd.DataFrame:
    parsed = {v: parse_count(v, decimal) for v in values.unique()}
    out = pd.DataFrame(
        {
            "value": values.map(lambda v: parsed[v].value),
            "value_lower": values.map(lambda v: parsed[v].lower),
            "value_upper": values.map(lambda v: parsed[v].upper),
        },
        index=values.index,
    )
    for v, p in parsed.items():
        if p.error:
            for i in values.index[values == v][:50]:
                problems.add(
                    Problem(
                        "value.invalid",
                        f"the value is {p.error}",
                        "write a count (e.g. 1282 or 1,282), leave it blank if unknown, or '<5' if suppressed",
                        file=table.file,
                        sheet=table.sheet,
                        row=int(rows[i]),
                        column=col,
                        value=v,
                    )
                )
    return out


def flags(values: pd.Series) -> pd.Series:
    cache = {v: flag_set(v) for v in values.unique()}
    return values.map(cache)


def aggregate_frame(**cols) -> pd.DataFrame:
    """Assemble canonical aggregate rows, filling absent columns with nulls."""
    n = len(next(iter(cols.values())))
    idx = next(iter(cols.values())).index if hasattr(next(iter(cols.values())), "index") else None
    data = {c: cols.get(c, pd.Series([None] * n, index=idx, dtype=object)) for c in AGGREGATE_COLUMNS}
    frame = pd.DataFrame(data)
    for c in ("sex_code", "age_code", "form_code", "citizenship_code", "obs_status", "conf_status", "note"):
        frame[c] = frame[c].where(frame[c].astype(str) != "", None)
    return frame
