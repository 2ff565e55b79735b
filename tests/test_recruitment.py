"""recruitment_indicators and modus_operandi from case-level cases: shares hand-computed from
tests/fixtures/casework/cases_2023.csv, with disclosure control at the default k = 5.

The fixture: Kenya 2023, 12 cases: agency involved yes 6 / no 5 / blank 1; fees yes 5 / no 5 / blank 2;
fraudulent job offer yes 2 / no 10; transnational 7 / domestic 5; means of control: 5 cases debt
bondage + withholding documents, 1 debt bondage, 1 threats, 3 physical violence, 2 blank; recruitment
method job_offer 6, intimate_partner 6. Uganda 2023, 5 cases: all agency yes, fees no, fraud no,
transnational, debt bondage, job_offer. Both are in the UNODC region Sub-Saharan Africa.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO, run_tipdw

FIXTURES = REPO / "tests" / "fixtures" / "casework"
ENV = {"TIPDW_PSEUDONYM_KEY": "fedcba9876543210" * 4}
SSA = "Sub-Saharan Africa"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("recruitment-home")
    out = run_tipdw(home, "ingest", str(FIXTURES / "cases_2023.csv"), env=ENV)
    assert "(template-cases): 17 rows loaded" in out.stdout
    run_tipdw(home, "build", env=ENV, timeout=900)
    return home


def _rows(home, table: str, key_cols: list[str]) -> dict:
    rows = json.loads(run_tipdw(home, "sql", f"select * from {table}", "--format", "json").stdout)
    return {tuple(r[c] for c in key_cols): r for r in rows}


def test_recruitment_shares_by_country_and_region(home):
    r = _rows(home, "recruitment_indicators", ["area", "year", "indicator"])
    assert len(r) == 12  # KEN, UGA, Sub-Saharan Africa x 4 indicators
    agency = r[("KEN", 2023, "recruitment_agency_involved")]
    assert (agency["cases_with_count"], agency["cases_known_count"], agency["cases_total_count"]) == (
        6,
        11,
        12,
    )
    assert agency["share_pct"] == 54.55  # 6 / 11
    assert r[("KEN", 2023, "recruitment_fees_charged")]["share_pct"] == 50.0  # 5 / 10
    assert r[("KEN", 2023, "transnational")]["share_pct"] == 58.33  # 7 / 12
    assert r[("UGA", 2023, "recruitment_agency_involved")]["share_pct"] == 100.0  # 5 / 5
    assert r[("UGA", 2023, "recruitment_fees_charged")]["share_pct"] == 0.0  # 0 / 5: zero is published
    region = r[(SSA, 2023, "recruitment_agency_involved")]
    assert (region["cases_with_count"], region["cases_known_count"], region["share_pct"]) == (11, 16, 68.75)
    assert region["countries_reporting"] == 2 and region["area_type"] == "unodc_region"
    assert r[(SSA, 2023, "recruitment_fees_charged")]["share_pct"] == 33.33  # 5 / 15
    assert r[(SSA, 2023, "transnational")]["share_pct"] == 70.59  # 12 / 17


def test_small_numerators_are_suppressed(home):
    r = _rows(home, "recruitment_indicators", ["area", "year", "indicator"])
    for area in ("KEN", SSA):  # 2 fraudulent job offers (KEN 2 + UGA 0): fewer than 5 cases
        row = r[(area, 2023, "fraudulent_job_offer")]
        assert row["suppression"] == "primary"
        assert (
            row["share_pct"] is None and row["cases_with_count"] is None and row["cases_known_count"] is None
        )
    assert r[("UGA", 2023, "fraudulent_job_offer")]["share_pct"] == 0.0


def test_means_of_control_and_recruitment_method(home):
    m = _rows(home, "modus_operandi", ["area", "topic", "category"])
    docs = m[("KEN", "means_of_control", "withholding_documents")]
    assert (docs["cases_with_count"], docs["cases_known_count"], docs["share_pct"]) == (5, 10, 50.0)
    # debt bondage 6 of 10: the 4 cases without it are a small group, so the share is suppressed
    assert m[("KEN", "means_of_control", "debt_bondage")]["suppression"] == "primary"
    assert m[("KEN", "means_of_control", "threats")]["share_pct"] is None  # 1 case
    assert m[("UGA", "means_of_control", "debt_bondage")]["share_pct"] == 100.0
    # The region's denominator includes Uganda's 5 cases with a known means of control.
    region_docs = m[(SSA, "means_of_control", "withholding_documents")]
    assert (region_docs["cases_with_count"], region_docs["cases_known_count"], region_docs["share_pct"]) == (
        5,
        15,
        33.33,
    )
    assert m[(SSA, "recruitment_method", "job_offer")]["share_pct"] == 64.71  # (6 + 5) / 17
    assert m[(SSA, "recruitment_method", "intimate_partner")]["share_pct"] == 35.29  # 6 / 17


def test_published_tables_document_their_columns(home):
    cols = json.loads(
        run_tipdw(
            home,
            "sql",
            "select table_name, column_name, description from _columns "
            "where table_name in ('recruitment_indicators', 'modus_operandi')",
            "--format",
            "json",
        ).stdout
    )
    assert len(cols) == 21 and all(c["description"] for c in cols)
