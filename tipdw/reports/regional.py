"""``tipdw report regional``: trends, victim profile, forms and flows per UNODC region, as one HTML page.

Reads the publication on the guarded read-only connection (the same one ``tipdw sql`` uses), so it
never blocks a build. Every figure states its coverage (countries reporting of the countries in the
region, and the share of the region's loaded population they cover) and the caveat that detected
victims reflect detection capacity, not prevalence. A publication made from ``tipdw demo`` data
carries the synthetic-data banner at the top and bottom of the page.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from tipdw.config import Home
from tipdw.reports import html as h
from tipdw.sqlaccess import connect_published

CAVEAT = "Detected victims reflect detection capacity, not prevalence."
BANNER = "SYNTHETIC DEMO DATA, not official statistics"
TOTALS = "indicator = 'detected_victims' and region_type = 'unodc_region'"
PROFILE = [("female", "adult", "women"), ("female", "child", "girls"), ("male", "adult", "men"),
           ("male", "child", "boys")]  # fmt: skip
FORM_ORDER = ["sexual_exploitation", "forced_labour", "forced_criminal_activity", "begging",
              "forced_marriage", "organ_removal", "mixed", "other_forms", "other", "unknown"]  # fmt: skip


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def _is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        return bool(con.execute("select bool_or(synthetic_demo) from main._publication").fetchone()[0])
    except duckdb.Error:
        return False


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = 'main' and table_name = ?",
            [name],
        ).fetchone()[0]
    )


def _coverage_table(con: duckdb.DuckDBPyConnection, year: int, where: str) -> tuple[str, str]:
    """Coverage of the cells matching ``where`` in ``year``: a table and a one-sentence summary."""
    rows = _rows(
        con,
        f"""
        select region, max(countries_reporting), max(countries_in_region), max(population_covered_pct)
        from main.regional_aggregates
        where {TOTALS} and year = ? and {where}
        group by region order by region
        """,
        [year],
    )
    world = _rows(
        con,
        f"""
        select max(countries_reporting), max(countries_in_region), max(population_covered_pct)
        from main.regional_aggregates
        where indicator = 'detected_victims' and region_type = 'world' and year = ? and {where}
        """,
        [year],
    )
    table = h.table(
        ["region", "countries reporting", "countries in region", "population covered (% of loaded)"],
        [(r, n, m, None if p is None else round(p, 1)) for r, n, m, p in rows],
    )
    if world and world[0][0] is not None:
        n, m, p = world[0]
        pct = "unknown" if p is None else f"{p:.1f}%"
        text = (
            f"{year}: {n} of {m} countries and areas report, in {len(rows)} UNODC regions; in each "
            f"region they cover the share of the region's loaded population shown in the table "
            f"(worldwide {pct}). Regions without any reporting country are not shown."
        )
    else:
        text = f"{year}: no country reports these figures."
    return table, text


def _span(values: list, pattern: str) -> str:
    """'a–b' for a range of values, 'a' when they are all equal, 'unknown' when there are none."""
    if not values:
        return "unknown"
    lo, hi = pattern.format(min(values)), pattern.format(max(values))
    return lo if lo == hi else f"{lo}–{hi}"


def _trends(con: duckdb.DuckDBPyConnection) -> str:
    rows = _rows(
        con,
        f"""
        select region, year, value, countries_reporting, countries_in_region, population_covered_pct
        from main.regional_aggregates
        where {TOTALS} and sex = 'total' and age_group = 'total'
          and form_of_exploitation = 'total' and citizenship = 'total'
        order by region, year
        """,
    )
    series: dict[str, list] = {}
    cov: dict[str, list] = {}
    for region, year, value, n, m, pct in rows:
        series.setdefault(region, []).append((year, value))
        cov.setdefault(region, []).append((n, m, pct))
    cov_rows = []
    for region, cs in cov.items():
        ns = [c[0] for c in cs]
        pcts = [c[2] for c in cs if c[2] is not None]
        cov_rows.append((region, _span(ns, "{}"), cs[0][1], _span(pcts, "{:.1f}"), len(cs)))
    years = sorted({y for pts in series.values() for y, _ in pts})
    span = f"{years[0]}–{years[-1]}" if years else "none"
    coverage = (
        f"Years {span}. Each point sums the countries that reported that year; the table gives, "
        "per region, the range of countries reporting over the years and the share of the "
        "region's loaded population they cover. A gap in a line is a year with a suppressed or "
        "unknown figure."
    )
    extra = h.table(
        ["region", "countries reporting (range)", "countries in region", "population covered (% of loaded)",
         "years with data"],
        cov_rows,
    )  # fmt: skip
    return h.figure(
        "Detected victims per year, by UNODC region",
        h.line_chart(series, "detected victims"),
        coverage,
        CAVEAT + " A change over time can reflect a change in who reports or in detection effort.",
        extra,
    )


def _profile(con: duckdb.DuckDBPyConnection, year: int) -> str:
    rows = _rows(
        con,
        f"""
        select region, sex, age_group, value
        from main.regional_aggregates
        where {TOTALS} and year = ? and form_of_exploitation = 'total' and citizenship = 'total'
          and sex in ('female', 'male') and age_group in ('child', 'adult')
        order by region
        """,
        [year],
    )
    data: dict[str, dict[str, float | None]] = {}
    for region, sex, age, value in rows:
        label = next(lbl for s, a, lbl in PROFILE if s == sex and a == age)
        data.setdefault(region, {})[label] = value
    cats = [lbl for _, _, lbl in PROFILE]
    cov_table, cov_text = _coverage_table(
        con, year, "sex in ('female', 'male') and age_group in ('child', 'adult') and "
        "form_of_exploitation = 'total' and citizenship = 'total'",
    )  # fmt: skip
    return h.figure(
        f"Victim profile in {year}: women, girls, men and boys, by UNODC region",
        h.stacked_bars(sorted(data.items()), cats),
        cov_text,
        CAVEAT + " Shares are of victims whose sex and age are both known; girls and boys are "
        "victims under 18 at identification.",
        cov_table,
    )


def _forms(con: duckdb.DuckDBPyConnection, year: int) -> str:
    rows = _rows(
        con,
        f"""
        select region, form_of_exploitation, value
        from main.regional_aggregates
        where {TOTALS} and year = ? and sex = 'total' and age_group = 'total'
          and citizenship = 'total' and form_of_exploitation <> 'total'
        """,
        [year],
    )
    data: dict[str, dict[str, float | None]] = {}
    for region, form, value in rows:
        data.setdefault(region, {})[form] = value
    present = {f for d in data.values() for f in d}
    cats = [f for f in FORM_ORDER if f in present] + sorted(present - set(FORM_ORDER))
    labels = {f: f.replace("_", " ") for f in cats}
    cov_table, cov_text = _coverage_table(
        con, year, "sex = 'total' and age_group = 'total' and citizenship = 'total' "
        "and form_of_exploitation <> 'total'",
    )  # fmt: skip
    return h.figure(
        f"Forms of exploitation in {year}, by UNODC region",
        h.stacked_bars(sorted(data.items()), cats, labels),
        cov_text,
        CAVEAT + " A victim exploited in several forms counts once per form; national laws "
        "differ in which forms they criminalise.",
        cov_table,
    )


def _flows(con: duckdb.DuckDBPyConnection, year: int) -> str:
    data: dict[str, dict[str, float | None]] = {}
    origins = ""
    source = "regional_aggregates (citizenship: nationals / foreign)"
    if _table_exists(con, "trafficking_flows"):
        try:
            for area, flow, n in _rows(
                con,
                """
                select area, flow_type, victims_count from main.trafficking_flows
                where area_type = 'unodc_region' and year = ? and origin_iso3 = 'total'
                  and flow_type in ('domestic', 'foreign')
                """,
                [year],
            ):
                data.setdefault(area, {})[flow] = n
            top = _rows(
                con,
                """
                select area, origin_iso3, victims_count,
                       row_number() over (partition by area order by victims_count desc) as rk
                from main.trafficking_flows
                where area_type = 'unodc_region' and year = ? and origin_iso3 <> 'total'
                  and flow_type = 'foreign' and victims_count is not null
                qualify rk <= 3 order by area, rk
                """,
                [year],
            )
            if top:
                origins = "<p><b>Main countries of origin of foreign victims</b></p>" + h.table(
                    ["region of detection", "citizenship (origin)", "victims"],
                    [(a, o, n) for a, o, n, _ in top],
                )
            source = "trafficking_flows"
        except duckdb.Error:
            data = {}
    if not data:
        for region, cit, value in _rows(
            con,
            f"""
            select region, citizenship, value from main.regional_aggregates
            where {TOTALS} and year = ? and sex = 'total' and age_group = 'total'
              and form_of_exploitation = 'total' and citizenship in ('nationals', 'foreign')
            """,
            [year],
        ):
            data.setdefault(region, {})["domestic" if cit == "nationals" else "foreign"] = value
    cov_table, cov_text = _coverage_table(
        con, year, "sex = 'total' and age_group = 'total' and form_of_exploitation = 'total' "
        "and citizenship in ('nationals', 'foreign')",
    )  # fmt: skip
    labels = {"domestic": "domestic (nationals)", "foreign": "cross-border (foreign citizens)"}
    return h.figure(
        f"Main flows in {year}: domestic and cross-border victims, by UNODC region of detection",
        h.stacked_bars(sorted(data.items()), ["domestic", "foreign"], labels),
        cov_text + f" Source table: {source}.",
        CAVEAT + " Citizenship is not the route: a foreign victim may have been exploited only "
        "in the country of detection. Victims of unknown citizenship are left out.",
        cov_table + origins,
    )


def write_regional_report(home: Home, out: Path, year: int | None = None) -> Path:
    """Write the regional report for ``year`` (default: the latest year with data) to ``out``."""
    con = connect_published(home)
    try:
        years = [
            r[0]
            for r in _rows(
                con,
                f"select distinct year from main.regional_aggregates where {TOTALS} and value is not null "
                "order by year",
            )
        ]
        if not years:
            raise ValueError("the publication has no regional figures yet; ingest data and run `tipdw build`")
        if year is None:
            year = years[-1]
        elif year not in years:
            raise ValueError(f"no regional figures for {year}; years with data: {years[0]}–{years[-1]}")
        published_at = con.execute("select max(published_at) from main._publication").fetchone()[0]
        demo = _is_demo(con)
        body = (
            f'<p class="meta">{h.esc(CAVEAT)} Regions are UNODC\'s analytical regions. Figures are '
            "sums over the countries that reported, after disclosure control (counts of fewer than "
            "k persons are suppressed); nothing is imputed.</p>"
            "<h2>Trends</h2>" + _trends(con) + "<h2>Victim profile</h2>" + _profile(con, year)
            + "<h2>Forms of exploitation</h2>" + _forms(con, year)
            + "<h2>Flows</h2>" + _flows(con, year)
        )  # fmt: skip
    finally:
        con.close()
    subtitle = (
        f"Detected victims by UNODC region, {year}. Publication of {published_at:%Y-%m-%d %H:%M}; "
        f"report generated {datetime.now():%Y-%m-%d %H:%M}."
    )
    doc = h.page(
        "Trafficking in persons: regional report",
        body,
        banner=BANNER if demo else None,
        subtitle=subtitle,
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(doc, encoding="utf-8")
    return out
