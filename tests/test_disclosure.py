"""Disclosure control: an attacker with every published table tries to recover each withheld value
by subtraction from totals and parts (interval arithmetic along every breakdown, and region minus
its countries), and must fail. Region margins are used only where the total and its parts cover
the same number of countries (countries_reporting); otherwise they do not add up. Run on hand-made small cells (1-4 persons) and on the demo (Namibia
has small cells)."""

from __future__ import annotations

import math
from collections import defaultdict

import pytest

from tests.warehouse_checks import query_dicts

INF = math.inf
COUNT_DIMS = ["sex", "age_group", "form_of_exploitation", "citizenship"]
# table -> (keys, breakdown dims, value, lower, upper)
MARGIN_TABLES = {
    "preferred_counts": (
        ["country_iso3", "year", "indicator", "estimate_type", *COUNT_DIMS],
        COUNT_DIMS,
        "value",
        "value_lower",
        "value_upper",
    ),
    "comparable_counts": (
        ["source", "country_iso3", "year", "indicator", "estimate_type", *COUNT_DIMS],
        COUNT_DIMS,
        "value",
        "value_lower",
        "value_upper",
    ),
    "regional_aggregates": (
        ["region_type", "region", "year", "indicator", *COUNT_DIMS],
        COUNT_DIMS,
        "value",
        "value_lower",
        "value_upper",
    ),
    "sdg_16_2_2": (
        ["country_iso3", "year", "sex", "age_group", "form_of_exploitation"],
        ["sex", "age_group", "form_of_exploitation"],
        "detected_victims_count",
        "detected_victims_lower",
        "detected_victims_upper",
    ),
    "trafficking_flows": (
        ["area_type", "area", "year", "citizenship", "origin_iso3"],
        ["citizenship", "origin_iso3"],
        "victims_count",
        "value_lower",
        "value_upper",
    ),
}


def fetch(home, sql: str) -> list[dict]:
    return query_dicts(home / "published.duckdb", sql)


class Attack:
    """Cells with intervals and additive equations (total = sum of parts); propagate to a fixpoint."""

    def __init__(self) -> None:
        self.lo: dict = {}
        self.hi: dict = {}
        self.hidden: set = set()
        self.equations: list[tuple] = []

    def add_cell(self, cid, row: dict, value: str, lower: str, upper: str) -> None:
        v = row[value]
        if v is not None:
            self.lo[cid] = self.hi[cid] = float(v)
            return
        withheld = row.get("suppression") is not None or row.get(upper) is not None
        # what the attacker knows: published bounds, else a withheld cell is non-zero (zeros are published)
        self.lo[cid] = float(row[lower]) if row.get(lower) is not None else (1.0 if withheld else 0.0)
        self.hi[cid] = float(row[upper]) if row.get(upper) is not None else INF
        if withheld:
            self.hidden.add(cid)

    def add_margins(
        self, table: str, rows: list[dict], keys: list[str], dims: list[str], same: str = ""
    ) -> None:
        """Equations total = sum of parts along each dim; with `same`, only groups whose cells share
        that column's value (a region's parts add up to its total only over the same countries)."""
        for d in dims:
            groups: dict[tuple, dict] = defaultdict(lambda: {"total": None, "parts": [], "same": set()})
            for r in rows:
                other = tuple(r[k] for k in keys if k != d)
                groups[other]["same"].add(r[same] if same else None)
                cid = (table, *(r[k] for k in keys))
                if r[d] == "total":
                    groups[other]["total"] = cid
                else:
                    groups[other]["parts"].append(cid)
            for g in groups.values():
                if g["total"] is not None and g["parts"] and len(g["same"]) == 1:
                    self.equations.append((g["total"], g["parts"]))

    def solve(self, rounds: int = 30) -> dict:
        """Tighten every interval; return the withheld cells pinned to one value."""
        for _ in range(rounds):
            changed = False
            for total, parts in self.equations:
                sum_lo = sum(self.lo[p] for p in parts)
                sum_hi = sum(self.hi[p] for p in parts)
                changed |= self._tighten(total, sum_lo, sum_hi)
                for p in parts:
                    rest_lo = sum_lo - self.lo[p]
                    rest_hi = (
                        sum_hi - self.hi[p] if self.hi[p] < INF else sum(self.hi[q] for q in parts if q != p)
                    )
                    changed |= self._tighten(p, self.lo[total] - rest_hi, self.hi[total] - rest_lo)
            if not changed:
                break
        return {c: self.lo[c] for c in self.hidden if self.lo[c] == self.hi[c]}

    def _tighten(self, cid, lo: float, hi: float) -> bool:
        new_lo, new_hi = max(self.lo[cid], lo), min(self.hi[cid], hi)
        if (
            new_lo > new_hi
        ):  # the parts are not additive here (e.g. a victim in several forms): no information
            return False
        if (new_lo, new_hi) != (self.lo[cid], self.hi[cid]):
            self.lo[cid], self.hi[cid] = new_lo, new_hi
            return True
        return False


def attack_table(home, table: str) -> tuple[dict, int]:
    keys, dims, value, lower, upper = MARGIN_TABLES[table]
    rows = fetch(home, f"select * from {table}")  # noqa: S608
    att = Attack()
    for r in rows:
        att.add_cell((table, *(r[k] for k in keys)), r, value, lower, upper)
    att.add_margins(
        table,
        rows,
        keys,
        dims,
        same="countries_reporting" if rows and "countries_reporting" in rows[0] else "",
    )
    return att.solve(), len(att.hidden)


def attack_countries_and_regions(home) -> tuple[dict, int]:
    """preferred_counts and regional_aggregates together: region cell = sum of its countries' cells."""
    keys, dims, value, lower, upper = MARGIN_TABLES["preferred_counts"]
    countries = fetch(home, "select * from preferred_counts where estimate_type = 'detected'")
    rkeys, _, _, _, _ = MARGIN_TABLES["regional_aggregates"]
    regions = fetch(home, "select * from regional_aggregates")
    members = defaultdict(set)
    for r in fetch(home, "select iso3, m49_region_name, m49_subregion_name from reference.countries"):
        members[("world", "World")].add(r["iso3"])
        members[("m49_region", r["m49_region_name"])].add(r["iso3"])
        members[("m49_subregion", r["m49_subregion_name"])].add(r["iso3"])
    for r in fetch(home, "select iso3, unodc_region from reference.unodc_regions"):
        members[("unodc_region", r["unodc_region"])].add(r["iso3"])
    att = Attack()
    by_cell = defaultdict(list)
    for r in countries:
        cid = ("preferred_counts", *(r[k] for k in keys))
        att.add_cell(cid, r, value, lower, upper)
        by_cell[(r["year"], r["indicator"], *(r[d] for d in COUNT_DIMS))].append((r["country_iso3"], cid))
    att.add_margins("preferred_counts", countries, keys, dims)
    for r in regions:
        cid = ("regional_aggregates", *(r[k] for k in rkeys))
        att.add_cell(cid, r, value, lower, upper)
        parts = [
            c
            for iso3, c in by_cell[(r["year"], r["indicator"], *(r[d] for d in COUNT_DIMS))]
            if iso3 in members[(r["region_type"], r["region"])]
        ]
        if parts and len(parts) == r["countries_reporting"]:
            att.equations.append((cid, parts))
    att.add_margins("regional_aggregates", regions, rkeys, dims, same="countries_reporting")
    return att.solve(), len(att.hidden)


@pytest.fixture(scope="module", params=["small_cells_home", "demo_home"])
def published_home(request):
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("table", sorted(MARGIN_TABLES))
def test_no_withheld_value_is_recovered_from_margins(published_home, table):
    recovered, hidden = attack_table(published_home, table)
    assert recovered == {}, (
        f"{len(recovered)} of {hidden} withheld cells of {table} recovered: {list(recovered)[:5]}"
    )


def test_no_country_value_is_recovered_from_region_minus_countries(published_home):
    """Country and region tables together. The target is every withheld country figure. A withheld
    region cell may be pinned when it is the sum of two or more withheld countries (their sum is
    not any one country's figure); no country figure may be."""
    recovered, hidden = attack_countries_and_regions(published_home)
    assert hidden > 0
    countries = {c: v for c, v in recovered.items() if c[0] == "preferred_counts"}
    assert countries == {}, f"{len(countries)} withheld country cells recovered: {list(countries)[:5]}"


def test_small_cells_are_withheld_with_secondary_suppression(small_cells_home):
    """LUX 2020 hand-made: boys = 3 (primary) forces girls, men and women out (secondary); other forms
    = 2 (primary) forces forced labour = 13 (the smallest other part) out. Zeros stay published."""
    got = {
        (r["sex"], r["age_group"], r["form_of_exploitation"]): r
        for r in fetch(
            small_cells_home,
            "select * from preferred_counts where country_iso3 = 'LUX' and year in (2020, 2021) "
            "and indicator = 'detected_victims' and citizenship = 'total' and year = 2020",
        )
    }
    assert got[("male", "child", "total")]["suppression"] == "primary"
    assert got[("male", "child", "total")]["conf_status"] == "A"
    assert (
        got[("male", "child", "total")]["value_lower"],
        got[("male", "child", "total")]["value_upper"],
    ) == (1, 4)
    for cell in (("female", "child", "total"), ("male", "adult", "total"), ("female", "adult", "total")):
        assert got[cell]["suppression"] == "secondary" and got[cell]["conf_status"] == "S"
        assert got[cell]["value"] is None and got[cell]["value_upper"] is None
    assert got[("total", "total", "other_forms")]["suppression"] == "primary"
    assert got[("total", "total", "forced_labour")]["suppression"] == "secondary"
    assert got[("total", "total", "sexual_exploitation")]["value"] == 25
    assert (
        got[("female", "total", "total")]["value"] == 30 and got[("total", "child", "total")]["value"] == 12
    )
    zero = fetch(
        small_cells_home,
        "select value, suppression from preferred_counts where country_iso3 = 'LUX' and year = 2021 "
        "and form_of_exploitation = 'other_forms'",
    )
    assert zero == [{"value": 0, "suppression": None}]


def test_demo_namibia_has_primary_and_secondary_suppression(demo_home):
    counts = {
        r["suppression"]: r["n"]
        for r in fetch(
            demo_home,
            "select suppression, count(*) as n from preferred_counts where country_iso3 = 'NAM' group by all",
        )
    }
    assert counts.get("primary", 0) > 0 and counts.get("secondary", 0) > 0


def test_derived_figures_from_withheld_counts_are_withheld(published_home):
    """Rates, shares, ratios, changes and averages never come from a withheld count."""
    checks = {
        "sdg rate": "select count(*) as n from sdg_16_2_2 where detected_victims_count is null "
        "and victims_per_100k_rate is not null",
        "flow share": "select count(*) as n from trafficking_flows where victims_count is null "
        "and share_of_detected_pct is not null",
        "funnel ratio": "select count(*) as n from justice_funnel where (convicted_count is null or "
        "prosecuted_count is null) and convicted_per_prosecuted_ratio is not null",
        "trend change": "select count(*) as n from trends where (value is null or previous_value is null) "
        "and (yoy_change_count is not null or yoy_change_pct is not null or moving_avg_3y is not null)",
        "profile count": "select count(*) as n from victim_profiles v join preferred_counts p on "
        "v.area_type = 'country' and p.country_iso3 = v.area and p.year = v.year and p.indicator = "
        "'detected_victims' and p.estimate_type = 'detected' and p.citizenship = 'total' and "
        "p.form_of_exploitation = 'total' and v.profile = 'sex_age' and p.sex = case when v.category in "
        "('women', 'girls') then 'female' else 'male' end and p.age_group = case when v.category in "
        "('girls', 'boys') then 'child' else 'adult' end where p.value is null and v.victims_count is not null",
        "region profile": "select count(*) as n from victim_profiles r where r.area_type <> 'country' and "
        "r.victims_count <> (select sum(c.victims_count) from victim_profiles c where c.area_type = 'country' "
        "and c.year = r.year and c.profile = r.profile and c.category = r.category and "
        "c.countries_with_full_breakdown = 1 and c.area in (select iso3 from reference.countries))"
        " and r.area_type = 'world'",
    }
    leaks = {name: fetch(published_home, sql)[0]["n"] for name, sql in checks.items()}
    assert leaks == dict.fromkeys(checks, 0)
    # every published count in the derived tables equals the published country figure
    mismatched = fetch(
        published_home,
        "select count(*) as n from sdg_16_2_2 s join preferred_counts p using (country_iso3, year, sex, "
        "age_group, form_of_exploitation) where p.indicator = 'detected_victims' and p.estimate_type = "
        "'detected' and p.citizenship = 'total' and s.detected_victims_count is distinct from p.value",
    )
    assert mismatched[0]["n"] == 0
