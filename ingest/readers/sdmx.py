"""SDMX-CSV 1.0 (first column DATAFLOW) and 2.0 (STRUCTURE, STRUCTURE_ID, ACTION), ',' or ';'.

Which column plays which role (country, year, indicator, sex, age, form, citizenship, unit,
value, flags) comes from the header map ``ingest/mappings/sdmx_headers.csv``: a data structure
with other concept names is onboarded by adding rows there, not code. Exports with labels
("REF_AREA: Reference area", "KEN: Kenya") keep the code before the colon.

SDMX-CSV 2.0 ACTION is honoured for the whole file: I (information) and A append to what is
current, R replaces it, D deletes the scope (country x year) of its rows. A file that mixes
actions is rejected: send one file per action. UNIT_MULT scales OBS_VALUE by a power of ten. Rows in a rate unit (e.g. PER_100000_POP) are
skipped with a warning: tipdw derives rates from counts and population.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from ingest.lazy import pandas as pd
from ingest.problems import Problem, Problems
from ingest.readers.base import Context, ReadResult, column, resolve_countries
from ingest.readers.canonical import aggregates, file_rows, is_rate, subset, warn_skipped
from ingest.tabular import Table, read_table

HEADER_MAP = Path(__file__).resolve().parent.parent / "mappings" / "sdmx_headers.csv"
ACTIONS = {"I": "append", "A": "append", "R": "replace", "D": "delete", "": "append"}


@functools.cache
def header_roles() -> dict[str, str]:
    """Upper-case SDMX concept name -> role, from the header map."""
    with HEADER_MAP.open(encoding="utf-8") as fh:
        return {r["header"].strip().upper(): r["role"].strip() for r in csv.DictReader(fh)}


def _concept(header: str) -> str:
    return header.split(":", 1)[0].strip().upper()


class SdmxCsv:
    name = "sdmx-csv"
    description = "SDMX-CSV 1.0 (DATAFLOW) or 2.0 (STRUCTURE, STRUCTURE_ID, ACTION), ',' or ';'"
    source = "sdmx"

    def score(self, headers: list[str]) -> float:
        have = {_concept(h) for h in headers}
        if "OBS_VALUE" not in have:
            return 0.0
        if {"STRUCTURE", "STRUCTURE_ID"} <= have:
            return 0.97
        return 0.96 if "DATAFLOW" in have else 0.0

    def read(self, path: Path, ctx: Context) -> ReadResult:
        table = read_table(path, {"DATAFLOW", "STRUCTURE", "STRUCTURE_ID", "OBS_VALUE", "REF_AREA"},
                           sheet=ctx.sheet)  # fmt: skip
        problems = Problems()
        labelled = any(":" in c for c in table.frame.columns)
        by_role: dict[str, str] = {}
        roles = header_roles()
        for c in table.frame.columns:
            role = roles.get(_concept(c))
            if role is None:
                _unknown_column(table, c, problems)
            elif role != "ignore":
                by_role.setdefault(role, c)
        fix = "add a row for the data structure's concept to ingest/mappings/sdmx_headers.csv"
        for role in ("country", "year", "indicator", "value"):
            if role not in by_role:
                problems.add(Problem("header.required", f"no column plays the role {role!r} "
                                     f"(known names: {sorted(h for h, r in roles.items() if r == role)})",
                                     fix, file=table.file, row=table.header_row, column=role))  # fmt: skip
        action = _action(table, problems)
        rows_read = len(table.frame)
        if problems.errors:
            return ReadResult({}, problems, rows_read)
        if "unit" in by_role:  # rates are derived by tipdw from counts, never loaded as counts
            unit = column(table, by_role["unit"])
            rate = is_rate(unit)
            warn_skipped(problems, table, "sdmx.rate_skipped", "with a rate unit", unit[rate], by_role["unit"],
                         "nothing to do; tipdw derives rates from counts and population")  # fmt: skip
            table = subset(table, ~rate)

        def get(role: str, default: str = "") -> pd.Series:
            if role not in by_role:
                return pd.Series(default, index=table.frame.index, dtype=object)
            s = column(table, by_role[role])
            s = s.str.split(": ", n=1).str[0].str.strip() if labelled else s
            return s.replace("", default) if default else s

        rows = file_rows(table)
        indicator = get("indicator")
        # UN SDG series embed the form (VC_HTF_DETVFL): without a form column, the series code is
        # also the form code, and crosswalk rows say which form it is.
        form = (
            get("form", "_T")
            if "form" in by_role
            else indicator.where(indicator.str.startswith("VC_HTF_"), "_T")
        )
        frame = aggregates(
            self.name, table, problems, rows=rows,
            country_iso3=resolve_countries(get("country"), table, by_role["country"], problems, rows),
            year=get("year"), indicator=indicator, sex=get("sex", "_T"), age=get("age", "_T"),
            form=form, citizenship=get("citizenship", "_T"), unit=get("unit", "persons"),
            value_text=column(table, by_role["value"]), value_column=by_role["value"],
            year_column=by_role["year"], obs_status=get("obs_status"), conf_status=get("conf_status"),
            note=get("note"), decimal=ctx.decimal,
        )  # fmt: skip
        _scale(frame, get("unit_mult"), table, by_role.get("unit_mult"), problems, rows)
        meta = {"sdmx_version": "2.0" if "STRUCTURE_ID" in {_concept(c) for c in table.frame.columns}
                else "1.0", "action": action}  # fmt: skip
        return ReadResult({"aggregates": frame}, problems, rows_read, metadata=meta, action=action)


def _unknown_column(table: Table, col: str, problems: Problems) -> None:
    """A column the header map does not know is harmless if constant; if it varies it would be a
    dimension tipdw cannot place, and rows would collide, so it is an error."""
    distinct = column(table, col).unique()
    if len(distinct) > 1:
        problems.add(
            Problem(
                "sdmx.unknown_dimension",
                f"the column {col!r} varies ({', '.join(map(str, distinct[:5]))}) but is not a concept "
                "tipdw knows",
                "add its concept with a role to ingest/mappings/sdmx_headers.csv, or send one file per value",
                file=table.file,
                sheet=table.sheet,
                row=table.header_row,
                column=col,
            )
        )


def _action(table: Table, problems: Problems) -> str:
    """The file's one ACTION as a registry action; SDMX-CSV 1.0 (no ACTION) replaces."""
    col = next((c for c in table.frame.columns if _concept(c) == "ACTION"), None)
    if col is None:
        return "replace"
    codes = column(table, col).str.upper()
    rows = file_rows(table)
    bad = ~codes.isin(ACTIONS)
    for i in codes.index[bad][:50]:
        problems.add(Problem("sdmx.action", "ACTION must be I, A, R or D", "use I or A to add, R to replace, "
                             "D to delete", file=table.file, row=int(rows[i]), column=col, value=codes[i]))  # fmt: skip
    kinds = sorted({ACTIONS[c] for c in codes[~bad].unique()})
    if len(kinds) > 1:
        firsts = {k: int(rows[codes[codes.map(ACTIONS) == k].index[0]]) for k in kinds}
        problems.add(
            Problem(
                "sdmx.mixed_actions",
                "the file mixes actions: " + ", ".join(f"{k} (first at row {r})" for k, r in firsts.items()),
                "send one file per action (e.g. one with the R rows, one with the D rows)",
                file=table.file,
                column=col,
            )
        )
    return kinds[0] if kinds else "replace"


def _scale(frame: pd.DataFrame, mult: pd.Series, table: Table, col: str | None, problems: Problems,
           rows: pd.Series) -> None:  # fmt: skip
    """Apply UNIT_MULT (value x 10^mult) in place; a non-integer multiplier is a problem."""
    if col is None:
        return
    power = pd.to_numeric(mult.replace("", "0"), errors="coerce")
    for i in power.index[power.isna()][:50]:
        problems.add(Problem("sdmx.unit_mult", "UNIT_MULT must be a whole number (a power of ten)",
                             "write 0 for units, 3 for thousands", file=table.file, row=int(rows[i]),
                             column=col, value=mult[i]))  # fmt: skip
    factor = (10.0 ** power.fillna(0)).values
    for c in ("value", "value_lower", "value_upper"):
        frame[c] = pd.to_numeric(frame[c]) * factor
