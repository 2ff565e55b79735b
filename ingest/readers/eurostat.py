"""Eurostat crim_thb_* TSV (domain.md §5f): the first column joins the dimension codes with commas
(header ``freq,unit,sex,age,leg_stat,citizen,geo\\TIME_PERIOD``; older files ``...,geo\\time``),
then one tab-separated column per year.

- A cell is a value with flags after a space: "123 p", "15 bu", ": c"; ":" is not available.
  Each letter is a flag, kept as a set. Upper-case letters (2025-style confidentiality C, N, ...)
  and the old lower-case ``c`` (confidential) go to ``conf_status`` (``c`` as ``C``); the others
  (b break, d definition differs, e estimated, p provisional, u low reliability, ...) to
  ``obs_status``.
- ``leg_stat`` is the indicator (VICT, PER_SUSP, PER_PRSC, PER_CNV, ...), ``citizen`` the
  citizenship (NAT, EU27_2020_FOR, NEU27_2020_FOR, ...), an ``expl`` dimension (if any) the form:
  all mapped through crosswalk rows with source_format ``eurostat-tsv``, never in code.
- ``geo`` uses Eurostat codes: EL is Greece, UK the United Kingdom; other codes are ISO 3166
  alpha-2. Aggregates (EU27_2020, EA19, ...) are skipped with a warning.
- Rows in a rate unit (P_HTHAB) are skipped with a warning: tipdw derives rates itself.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.countries import resolver
from ingest.lazy import pandas as pd
from ingest.problems import IntakeError, Problem, Problems
from ingest.readers.base import AGGREGATE_COLUMNS, Context, ReadResult
from ingest.readers.canonical import aggregates, is_rate, warn_skipped
from ingest.tabular import Table, read_csv_text

# Eurostat's own geo codes that differ from ISO 3166 alpha-2.
EUROSTAT_GEO = {"EL": "GRC", "UK": "GBR"}
DIMENSION_ROLES = {"sex": "sex", "age": "age", "leg_stat": "indicator", "citizen": "citizenship",
                   "geo": "country", "unit": "unit", "expl": "form", "form": "form"}  # fmt: skip
_YEAR = re.compile(r"^\d{4}$")


class EurostatTsv:
    name = "eurostat-tsv"
    description = "Eurostat crim_thb_* TSV (freq,unit,sex,age,leg_stat,citizen,geo\\TIME_PERIOD + years)"
    source = "eurostat"

    def score(self, headers: list[str]) -> float:
        joined = ",".join(headers).casefold()
        return 0.98 if ("geo\\time" in joined and "leg_stat" in joined) else 0.0

    def read(self, path: Path, ctx: Context) -> ReadResult:
        table = read_csv_text(path, delimiter="\t")
        first = table.frame.columns[0]
        if "\\" not in first:
            raise IntakeError([Problem("header.missing", f"the first column {first!r} is not 'dims\\TIME_PERIOD'",
                                       "send the TSV as downloaded from Eurostat", file=table.file, row=1)])  # fmt: skip
        dims = [d.strip().casefold() for d in first.split("\\")[0].split(",")]
        years = [c for c in table.frame.columns[1:] if _YEAR.match(c)]
        problems = Problems()
        for c in table.frame.columns[1:]:
            if c not in years and c:
                problems.add(Problem("eurostat.column", "a column header is not a year", "keep one column per "
                                     "year as Eurostat publishes it", file=table.file, row=1, column=c))  # fmt: skip
        missing = [d for d in ("geo", "leg_stat") if d not in dims]
        if missing:
            problems.add(Problem("header.required", f"the dimensions lack {missing}", "send a crim_thb_* table",
                                 file=table.file, row=1, column=first))  # fmt: skip
        keys = table.frame[first].str.split(",", expand=True)
        bad = table.frame[first].str.count(",") != len(dims) - 1
        if bad.any():
            for i in table.frame.index[bad][:50]:
                problems.add(Problem("eurostat.key", f"the row key must have {len(dims)} codes ({','.join(dims)})",
                                     "one code per dimension, separated by commas", file=table.file,
                                     row=int(table.header_row + 1 + i), column=first,
                                     value=table.frame[first][i]))  # fmt: skip
        if problems.errors:
            return ReadResult({}, problems, len(table.frame))
        keys.columns = dims
        keys = keys.apply(lambda s: s.str.strip())
        keys["row_number"] = table.frame.index + table.header_row + 1
        long = keys.join(table.frame[years]).melt(
            id_vars=[*dims, "row_number"], value_vars=years, var_name="year", value_name="cell"
        )
        return self._canonical(long, dims, table, problems, ctx)

    def _canonical(self, long: pd.DataFrame, dims: list[str], table: Table, problems: Problems,
                   ctx: Context) -> ReadResult:  # fmt: skip
        rows_read = len(table.frame)
        geo = long["geo"].str.upper()
        res = resolver()
        iso3 = geo.map(lambda g: EUROSTAT_GEO.get(g) or (res.resolve(g).iso3 if len(g) == 2 else None))
        aggregate = iso3.isna() & (geo.str.len() != 2)
        warn_skipped(problems, table, "eurostat.aggregate_skipped", "(cells) for aggregates, not countries",
                     geo[aggregate], "geo", "nothing to do; tipdw builds regional aggregates itself")  # fmt: skip
        for g in sorted(set(geo[iso3.isna() & ~aggregate])):
            first = long["row_number"][geo == g].iloc[0]
            problems.add(Problem("country.unknown", "the geo code is not a country Eurostat or ISO knows",
                                 "use the Eurostat geo code (EL, UK) or ISO 3166 alpha-2",
                                 file=table.file, row=int(first), column="geo", value=g))  # fmt: skip
        unit = long["unit"] if "unit" in dims else pd.Series("NR", index=long.index)
        rate = is_rate(unit) & ~aggregate
        warn_skipped(problems, table, "eurostat.rate_skipped", "(cells) with a rate unit", unit[rate], "unit",
                     "nothing to do; tipdw derives rates from counts and population")  # fmt: skip
        long = long.loc[~aggregate & ~rate]
        iso3 = iso3.loc[long.index]
        cell = long["cell"].fillna("").str.strip()
        value = cell.str.split(" ", n=1).str[0].fillna("")
        flag = cell.str.split(" ", n=1).str[1].fillna("").str.replace(" ", "")

        def dim(role: str, default: str) -> pd.Series:
            name = next((d for d in dims if DIMENSION_ROLES.get(d) == role), None)
            return long[name] if name else pd.Series(default, index=long.index, dtype=object)

        parts = []
        for year in long["year"].unique():  # one pass per year column, so problems name the column
            y = long["year"] == year
            part = aggregates(
                self.name, Table(long.loc[y], table.file, None, table.header_row), problems,
                rows=long["row_number"][y], country_iso3=iso3[y], year=long["year"][y],
                indicator=dim("indicator", "")[y], sex=dim("sex", "T")[y], age=dim("age", "TOTAL")[y],
                form=dim("form", "TOTAL")[y], citizenship=dim("citizenship", "TOTAL")[y],
                unit=dim("unit", "NR")[y], value_text=value[y], value_column=str(year), year_column=str(year),
                obs_status=flag[y].map(_obs_flags), conf_status=flag[y].map(_conf_flags), decimal=ctx.decimal,
            )  # fmt: skip
            part["value_text"] = cell[y].values  # the cell exactly as published, flags included
            parts.append(part)
        frame = pd.concat(parts, ignore_index=True) if parts else aggregates_empty()
        for c in ("obs_status", "conf_status"):
            frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
        return ReadResult({"aggregates": frame}, problems, rows_read)


def _obs_flags(flags: str) -> str:
    return ",".join(c for c in flags if c.islower() and c != "c")


def _conf_flags(flags: str) -> str:
    return ",".join("C" if c == "c" else c for c in flags if c.isupper() or c == "c")


def aggregates_empty() -> pd.DataFrame:
    return pd.DataFrame(columns=AGGREGATE_COLUMNS)
