"""National layouts through mapping files: Spanish xlsx and French csv examples, population shape,
encodings; onboarding is a YAML file plus crosswalk rows."""

from __future__ import annotations

import pytest

from tests.conftest import run_tipdw
from tests.formats_home import FIXTURES, MAPPINGS


def test_spanish_workbook_via_mapping(formats_home):
    assert (
        "(mapping:es_national_example): 9 rows loaded, 0 warnings"
        in formats_home.ingests["mapping_es"].stdout
    )
    col = formats_home.counts("COL", 2023)
    assert {k[1:]: r["value"] for k, r in col.items()} == {
        ("detected_victims", "total", "total", "total", "total"): 420,
        ("detected_victims", "female", "total", "total", "total"): 300,
        ("detected_victims", "male", "total", "total", "total"): 120,
        ("detected_victims", "female", "child", "total", "total"): 95,
        ("detected_victims", "total", "total", "sexual_exploitation", "total"): 260,
        ("detected_victims", "total", "total", "forced_labour", "total"): 110,
        ("detected_victims", "total", "total", "total", "nationals"): 380,
        ("detected_victims", "total", "total", "total", "foreign"): 40,
        ("persons_convicted", "total", "total", "total", "total"): 17,
    }
    assert {r["source"] for r in col.values()} == {"national"}


def test_french_cp1252_semicolon_csv_is_auto_detected(formats_home):
    assert "(mapping:fr_national_example): 7 rows loaded" in formats_home.ingests["mapping_fr"].stdout
    sen = formats_home.counts("SEN", 2023)  # "Sénégal" resolved from its French name
    assert {k[2:]: r["value"] for k, r in sen.items()} == {
        ("total", "total", "total", "total"): 1282,  # "1 282"
        ("female", "total", "total", "total"): 802,
        ("male", "total", "total", "total"): 480,
        ("female", "child", "total", "total"): 310,
        ("total", "total", "sexual_exploitation", "total"): 540,
        ("total", "total", "forced_labour", "total"): 610,
        ("total", "total", "begging", "total"): None,  # blank stays unknown
    }


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "latin-1"])
def test_encodings(tmp_path, encoding):
    text = (FIXTURES / "fr_national_victimes.csv").read_bytes().decode("cp1252")
    path = tmp_path / f"victimes_{encoding}.csv"
    path.write_bytes(text.encode(encoding))
    out = run_tipdw(
        tmp_path / "home", "ingest", str(path), "--format", f"mapping:{MAPPINGS / 'fr_national_example.yml'}"
    )
    assert "(mapping:fr_national_example): 7 rows loaded, 0 warnings" in out.stdout


def test_population_shape_and_problems_name_the_files_own_columns(tmp_path):
    mapping = tmp_path / "sn_population.yml"
    mapping.write_text(
        "name: sn_population\nshape: population\ncolumns:\n  Pays: country\n  Année: year\n  Sexe: sex\n"
        "  Effectif: population\nconstants:\n  age_group: total\nvalues:\n  sex:\n    Femmes: female\n"
        "    Hommes: male\n    Ensemble: total\n",
        encoding="utf-8",
    )
    data = tmp_path / "population.csv"
    data.write_text("Pays;Année;Sexe;Effectif\nSN;2023;Ensemble;18 032 473\nSN;2023;Femmes;9 108 000\n"
                    "SN;2023;Hommes;8 924 473\n", encoding="utf-8")  # fmt: skip
    out = run_tipdw(tmp_path / "home", "ingest", str(data), "--mapping", str(mapping))
    assert "(mapping:sn_population): 3 rows loaded" in out.stdout

    broken = tmp_path / "population_broken.csv"
    broken.write_text("Pays;Année;Sexe;Effectif\nSN;20x3;Ensemble;18 032 473\n", encoding="utf-8")
    out = run_tipdw(tmp_path / "home", "ingest", str(broken), "--mapping", str(mapping), check=False)
    assert out.returncode == 1
    assert "population_broken.csv, row 2, column 'Année'" in out.stderr


def test_mapping_file_mistakes_are_clear(tmp_path):
    mapping = tmp_path / "bad.yml"
    mapping.write_text("columns:\n  Pays: pays\n", encoding="utf-8")
    out = run_tipdw(tmp_path / "home", "ingest", str(FIXTURES / "fr_national_victimes.csv"), "--mapping",
                    str(mapping), check=False)  # fmt: skip
    assert out.returncode == 1
    assert (
        "bad.yml, column 'columns': columns names template columns that the aggregates template does not have: ['pays']"
        in out.stderr
    )


def test_unknown_layout_lists_the_formats(tmp_path):
    path = tmp_path / "mystery.csv"
    path.write_text("foo,bar,baz\n1,2,3\n", encoding="utf-8")
    out = run_tipdw(tmp_path / "home", "ingest", str(path), check=False)
    assert out.returncode == 1
    for name in ("unodc-glotip", "sdmx-csv", "open-sdg", "eurostat-tsv", "mapping:es_national_example"):
        assert name in out.stderr
