"""`tipdw report regional`: one self-contained offline HTML page with inline-SVG charts whose numbers,
coverage statements and caveats come from the publication."""

from __future__ import annotations

import csv
import html
import re

import pytest

from tests.conftest import REPO, run_tipdw

CAVEAT = "detected victims reflect detection capacity, not prevalence"


def _regions() -> dict[str, str]:
    with (REPO / "seeds" / "unodc_regions.csv").open(encoding="utf-8") as fh:
        return {r["iso3"]: r["unodc_region"] for r in csv.DictReader(fh)}


def _sum(home, region, year, sex="total", age="total", form="total") -> int:
    regions, total = _regions(), 0
    for path in (home / "demo-input").glob("SYNTHETIC-DEMO-DATA_*_aggregates.csv"):
        with path.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if (regions[r["country"]], int(r["year"]), r["indicator"], r["sex"], r["age_group"],
                        r["form_of_exploitation"], r["citizenship"]) == (
                        region, year, "detected_victims", sex, age, form, "total"):  # fmt: skip
                    total += int(r["value"])
    return total


@pytest.fixture(scope="module")
def report(demo_home, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("report") / "regional.html"
    proc = run_tipdw(demo_home, "report", "regional", "--out", str(out))
    assert str(out) in proc.stdout
    return out.read_text(encoding="utf-8")


def test_the_page_is_self_contained_and_loads_nothing(report):
    assert report.startswith("<!DOCTYPE html>") and report.count("<svg") >= 4
    lowered = report.lower()
    for remote in ("http://", "https://", "<script", "<link", "@import", "url(", "<img", "<iframe"):
        assert remote not in lowered, remote


def test_every_figure_states_its_coverage_and_the_caveat(report):
    figures = re.findall(r"<figure>.*?</figure>", report, re.DOTALL)
    assert len(figures) == 4  # trends, victim profile, forms, flows
    for fig in figures:
        text = html.unescape(fig)
        assert "Coverage:" in text and "countries" in text and "population" in text
        assert CAVEAT in text.lower()
    assert re.search(r"2024: 12 of \d+ countries and areas report, in 7 UNODC regions", html.unescape(report))


def test_demo_output_carries_the_synthetic_data_banner(report):
    assert report.count('<div class="banner">SYNTHETIC DEMO DATA, not official statistics</div>') == 2


def test_the_charts_show_the_published_numbers(report, demo_home):
    text = html.unescape(report)
    # Trends: one point per region and year, with the regional sum of the countries' files.
    assert f"South America 2015: {_sum(demo_home, 'South America', 2015):,}<" in text
    assert f"North America 2024: {_sum(demo_home, 'North America', 2024):,}<" in text
    # Victim profile: girls = female children, with their share of women+girls+men+boys.
    parts = {k: _sum(demo_home, "South Asia", 2024, s, a)
             for k, s, a in [("women", "female", "adult"), ("girls", "female", "child"),
                             ("men", "male", "adult"), ("boys", "male", "child")]}  # fmt: skip
    share = 100 * parts["girls"] / sum(parts.values())
    assert f"South Asia: girls {parts['girls']:,} ({share:.1f}%)" in text
    # Forms of exploitation.
    sexual = _sum(demo_home, "Western and Southern Europe", 2024, form="sexual_exploitation")
    assert f"Western and Southern Europe: sexual exploitation {sexual:,} (" in text
    # Flows: domestic vs cross-border.
    assert "Western and Southern Europe: domestic (nationals)" in text


def test_a_chosen_year_and_a_year_without_data(demo_home, tmp_path):
    out = tmp_path / "r2019.html"
    run_tipdw(demo_home, "report", "regional", "--year", "2019", "--out", str(out))
    text = html.unescape(out.read_text(encoding="utf-8"))
    assert "Victim profile in 2019" in text and "Forms of exploitation in 2019" in text
    proc = run_tipdw(
        demo_home, "report", "regional", "--year", "1990", "--out", str(tmp_path / "x.html"), check=False
    )
    assert (
        proc.returncode == 1
        and "years with data: 2015–2024" in proc.stderr
        and "Traceback" not in proc.stderr
    )
    assert not (tmp_path / "x.html").exists()


def test_a_bar_with_a_withheld_part_shows_no_misleading_shares():
    from tipdw.reports.html import stacked_bars

    svg = stacked_bars(
        [("A", {"women": 60, "girls": None, "men": 40}), ("B", {"women": 30, "men": 10})],
        ["women", "girls", "men"],
    )
    assert "not available: girls withheld or unknown" in svg
    assert "A: women" not in svg  # no bar for A at all
    assert "B: women 30 (75.0%)" in svg and "B: men 10 (25.0%)" in svg  # an absent part counts as none
