"""`tipdw report quality`: one offline HTML page for the warehouse and for one submission.

On the demo it shows every check, the completeness heatmap (Kenya's 2017-2018 gap) and the share of
suppressed cells; on a rejected submission it lists each problem with row, column, value and fix.
The page references nothing outside itself, and ids are pseudonymised.
"""

from __future__ import annotations

import re
import shutil

import pytest

from tests.conftest import REPO, run_tipdw
from tipdw.quality.checks import mask
from tipdw.quality.report import _problem_checks

FIXTURES = REPO / "tests" / "fixtures" / "quality"
EXTERNAL = re.compile(r"""(?:src|href|action|xlink:href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""", re.I)  # fmt: skip


@pytest.fixture(scope="module")
def reports(demo_home, tmp_path_factory):
    """A copy of the demo warehouse with one rejected submission; the warehouse and submission pages."""
    home = tmp_path_factory.mktemp("report") / "home"
    shutil.copytree(demo_home, home)
    out = run_tipdw(home, "ingest", str(FIXTURES / "broken_submission.csv"), "--country", "KEN", check=False)
    assert out.returncode == 1
    sid = int(re.search(r"recorded as submission (\d+)", out.stderr).group(1))
    pages = {}
    for name, args in (
        ("warehouse", []),
        ("rejected", ["--submission", str(sid)]),
        ("accepted", ["--submission", "1"]),
    ):
        path = home.parent / f"{name}.html"
        run_tipdw(home, "report", "quality", *args, "--out", str(path))
        pages[name] = path.read_text(encoding="utf-8")
    return home, sid, pages


def test_pages_are_self_contained(reports):
    _, _, pages = reports
    for name, html in pages.items():
        assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>"), name
        assert not EXTERNAL.search(html), (name, EXTERNAL.search(html).group(0))
        assert "http://" not in html and "https://" not in html, name
        assert "<script" not in html and "<link" not in html and "<img" not in html, name


def test_warehouse_report_shows_checks_and_charts(reports):
    _, _, html = reports
    html = html["warehouse"]
    assert "SYNTHETIC DEMO DATA, not official statistics" in html
    assert "Completeness by country and year" in html and "Share of suppressed cells by country" in html
    # the demo's reporting gap: Kenya reported nothing for 2017 and 2018; other years 4 of 5 indicators
    assert "<title>KEN 2017: – share</title>" in html and "<title>KEN 2018: – share</title>" in html
    assert re.search(r"<title>ARG 2015: [1-9]\d*% share</title>", html)  # 4 of 5 indicators in the demo
    # Namibia submits '<5' cells, so it has suppressed cells; checks from all three kinds are listed
    nam = re.search(r"<title>NAM: (\d+\.\d)%", html)
    assert nam and float(nam.group(1)) > 0
    assert "published.comparable_counts: cell.duplicate" in html and "published suite" in html
    assert "funnel_convictions_within_prosecutions" in html or "year_over_year_jumps" in html
    assert "intake: rejected submissions" in html and "broken_submission.csv" in html


def test_rejected_submission_report_lists_every_problem(reports):
    _, sid, pages = reports
    html = pages["rejected"]
    assert f"Quality report: submission {sid} (broken_submission.csv)" in html
    assert "<dd>rejected</dd>" in html
    assert re.search(r"<b>2</b>checks failed", html) and re.search(r"<b>1</b>warnings", html)
    # the wrong-country row: file, row 5, column, value and the fix
    assert re.search(
        r"<td>broken_submission.csv</td><td></td><td>5</td><td>country_iso3</td><td>UGA</td>", html
    )
    assert "split the file per country, or drop --country" in html
    assert "the same cell appears more than once: 2 copies (first at row 3)" in html


def test_accepted_submission_report_reruns_its_intake_suite(reports):
    _, _, pages = reports
    html = pages["accepted"]
    assert "intake.aggregates: cell.duplicate" in html and "intake suite (re-run on loaded rows)" in html
    assert re.search(r"<b>0</b>checks failed", html)
    assert "Completeness by country and year" in html
    assert (
        len(re.findall(r"<title>ARG 20\d\d: [1-9]\d*% share</title>", html)) == 10
    )  # one country, ten years
    assert "<title>BRA" not in html


def test_unknown_submission_is_a_clear_error(reports):
    home, _, _ = reports
    out = run_tipdw(
        home, "report", "quality", "--submission", "999", "--out", str(home / "x.html"), check=False
    )
    assert out.returncode == 1 and "no submission 999" in out.stderr and "Traceback" not in out.stderr


def test_ids_are_pseudonymised_in_reports():
    assert mask("person_pseudonym", "9c0abe51c6e6655d81de2d") == "9c0abe51…"
    assert mask("case_id", "CASE-2024-000123") == "CASE-202…"
    assert mask("submission_id", 12) == 12 and mask("value", "UGA") == "UGA"
    checks = _problem_checks(
        {"summary": {"by_rule": {"victim.pseudonym": 1}},
         "problems": [{"rule": "victim.pseudonym", "severity": "error", "message": "not a pseudonym", "fix": "f",
                       "file": "v.csv", "sheet": None, "row": 3, "column": "person_pseudonym",
                       "value": "V-0001-KAMAU"}]}
    )  # fmt: skip
    assert checks[0].rows[0][4] == "V-0001-K…" and checks[0].status == "fail"
