"""`tipdw template aggregates|population`: blank annotated templates that load once filled in; the
README documents every column."""

from __future__ import annotations

from python_calamine import CalamineWorkbook

from ingest.templates import TEMPLATES
from tests.conftest import REPO, run_tipdw


def test_xlsx_template_has_header_comments_and_dictionary(tmp_path):
    out = tmp_path / "aggregates.xlsx"
    run_tipdw(tmp_path / "home", "template", "aggregates", "--out", str(out))
    wb = CalamineWorkbook.from_path(str(out))
    assert wb.sheet_names == ["aggregates", "dictionary"]
    header = wb.get_sheet_by_name("aggregates").to_python()[0]
    assert header == [c.name for c in TEMPLATES["aggregates"].columns]
    dictionary = wb.get_sheet_by_name("dictionary").to_python()
    assert dictionary[0][:3] == ["column", "required", "description"]
    assert [r[0] for r in dictionary[1:15]] == header


def test_filled_csv_templates_load(tmp_path):
    home = tmp_path / "home"
    agg, pop = tmp_path / "aggregates.csv", tmp_path / "population.csv"
    run_tipdw(home, "template", "aggregates", "--out", str(agg))
    run_tipdw(home, "template", "population", "--out", str(pop))
    assert agg.read_text(encoding="utf-8").startswith(
        "country,year,indicator,sex,age_group,form_of_exploitation"
    )
    with agg.open("a", encoding="utf-8") as fh:
        fh.write("NA,2023,detected_victims,total,total,total,total,,,,,,,\n")  # Namibia, value unknown
        fh.write("NA,2023,detected_victims,female,total,total,total,<5,,,,,,\n")
    with pop.open("a", encoding="utf-8") as fh:
        fh.write("NAM,2023,total,total,2604172\n")
    assert "2 rows loaded" in run_tipdw(home, "ingest", str(agg)).stdout
    assert "1 rows loaded" in run_tipdw(home, "ingest", str(pop)).stdout


def test_readme_documents_every_template_column():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Template data dictionary", 1)[1].split("\n## ", 1)[0]
    for kind in ("aggregates", "population"):
        for c in TEMPLATES[kind].columns:
            assert f"`{c.name}`" in section, f"README's data dictionary lacks {kind}.{c.name}"
