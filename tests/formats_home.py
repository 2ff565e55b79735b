"""One warehouse for the aggregate-format tests: every format fixture ingested with the real CLI
and built once per test session (per xdist worker); the test modules assert per format.

The session fixture ``formats_home`` (tests/conftest.py) calls ``build_formats_home``.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO, run_tipdw

FIXTURES = REPO / "tests" / "fixtures" / "formats"
MAPPINGS = REPO / "ingest" / "mappings"


@dataclass
class FormatsHome:
    home: Path
    ingests: dict[str, subprocess.CompletedProcess]
    build: subprocess.CompletedProcess

    def counts(self, country: str, year: int | None = None, source: str | None = None) -> dict[tuple, dict]:
        """Published comparable_counts of one country, keyed by
        (year, indicator, sex, age_group, form_of_exploitation, citizenship)."""
        where = f"country_iso3 = '{country}'"
        where += f" and year = {int(year)}" if year else ""
        where += f" and source = '{source}'" if source else ""
        out = run_tipdw(
            self.home, "sql", f"select * from comparable_counts where {where}", "--format", "json"
        )
        return {
            (
                r["year"],
                r["indicator"],
                r["sex"],
                r["age_group"],
                r["form_of_exploitation"],
                r["citizenship"],
            ): r
            for r in json.loads(out.stdout)
        }

    def value(self, country: str, year: int, indicator: str = "detected_victims", sex: str = "total",
              age: str = "total", form: str = "total", citizenship: str = "total") -> float | None:  # fmt: skip
        """The published value of one cell (KeyError if the cell is not published at all)."""
        return self.counts(country, year)[(year, indicator, sex, age, form, citizenship)]["value"]


def write_glotip_xlsx(path: Path) -> Path:
    """A GLOTIP bulk workbook as the data portal exports it: banner rows above the header, numbers
    as numbers, txtVALUE as text, and a second sheet of notes."""
    import xlsxwriter

    header = ["Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension", "Category", "Sex", "Age",
              "Year", "Unit of measurement", "txtVALUE", "Source"]  # fmt: skip
    base = ["MEX", "Mexico", "Americas", "Latin America and the Caribbean", "Detected trafficking victims"]
    rows = [
        [*base, "Total", "Total", "Total", "Total", 2021, "Counts", "1,050", "National authorities"],
        [*base, "Total", "Total", "Female", "Total", 2021, "Counts", "700", "National authorities"],
        [*base, "Total", "Total", "Male", "Total", 2021, "Counts", "350", "National authorities"],
        [*base, "by citizenship", "Nationals", "Total", "Total", 2021, "Counts", "550", "National authorities"],
        [*base, "by citizenship", "Guatemala", "Total", "Total", 2021, "Counts", "300", "National authorities"],
        [*base, "by citizenship", "Honduras", "Total", "Total", 2021, "Counts", "200", "National authorities"],
        ["CAM", "Central America", "", "", "Detected trafficking victims", "Total", "Total", "Total", "Total", 2021,
         "Counts", "4,000", "UNODC"],
    ]  # fmt: skip
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("GLOTIP")
    ws.write(0, 0, "UNODC Data Portal - Trafficking in persons")
    ws.write(1, 0, "Detected victims, by country (bulk download)")
    ws.write_row(3, 0, header)
    for i, r in enumerate(rows, start=4):
        ws.write_row(i, 0, r)
    wb.add_worksheet("Notes").write(0, 0, "Figures are those reported by national authorities.")
    wb.close()
    return path


def write_spanish_xlsx(path: Path) -> Path:
    """A Spanish-labelled national workbook (three banner rows, header on row 4, sheet Víctimas)."""
    import xlsxwriter

    header = ["País", "Año", "Indicador", "Sexo", "Edad", "Forma de explotación", "Nacionalidad",
              "Número de personas", "Observaciones"]  # fmt: skip
    v = "Víctimas identificadas"
    rows = [
        ["Colombia", 2023, v, "Total", "Total", "Total", "Todas", 420, ""],
        ["Colombia", 2023, v, "Mujer", "Total", "Total", "Todas", 300, ""],
        ["Colombia", 2023, v, "Hombre", "Total", "Total", "Todas", 120, ""],
        ["Colombia", 2023, v, "Mujer", "Menores de 18", "Total", "Todas", 95, ""],
        ["Colombia", 2023, v, "Total", "Total", "Explotación sexual", "Todas", 260, ""],
        ["Colombia", 2023, v, "Total", "Total", "Trabajo forzoso", "Todas", 110, "incluye servidumbre"],
        ["Colombia", 2023, v, "Total", "Total", "Total", "Nacionales", 380, ""],
        ["Colombia", 2023, v, "Total", "Total", "Total", "Extranjeras", 40, ""],
        ["Colombia", 2023, "Personas condenadas", "Total", "Total", "Total", "Todas", 17, ""],
    ]  # fmt: skip
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Víctimas")
    ws.write(0, 0, "Ministerio del Interior - Trata de personas")
    ws.write(1, 0, "Cifras 2023 (provisionales)")
    ws.write_row(3, 0, header)
    for i, r in enumerate(rows, start=4):
        ws.write_row(i, 0, r)
    wb.add_worksheet("Notas").write(0, 0, "Fuente: registro nacional")
    wb.close()
    return path


def build_formats_home(root: Path) -> FormatsHome:
    """Ingest every format fixture into one new home under ``root`` and build it (the
    ``formats_home`` fixture)."""
    home, files = root / "home", root / "format-files"
    files.mkdir(parents=True, exist_ok=True)
    f = FIXTURES
    plan = {
        "glotip_csv": [f / "glotip_bulk.csv"],
        "glotip_xlsx": [write_glotip_xlsx(files / "glotip_bulk_mex.xlsx")],
        "sdmx_v1": [f / "sdmx_v1.csv"],
        "sdmx_v2": [f / "sdmx_v2_replace.csv", "--decimal", ","],
        "sdmx_tza_replace": [f / "sdmx_v2_tza_replace.csv"],
        "sdmx_tza_delete": [f / "sdmx_v2_tza_delete.csv"],
        "sdmx_ken_append": [f / "sdmx_v2_ken_append.csv"],
        "open_sdg": [f / "open_sdg_16-2-2.csv", "--country", "GBR"],
        "eurostat_2025": [f / "estat_crim_thb_vctz.tsv"],
        "eurostat_old": [f / "estat_crim_thb_sexc_old.tsv"],
        "mapping_fr": [f / "fr_national_victimes.csv"],  # auto-detected: a shipped mapping
        "mapping_es": [
            write_spanish_xlsx(files / "victimas_col_2023.xlsx"),
            "--mapping",
            MAPPINGS / "es_national_example.yml",
        ],  # fmt: skip
    }
    ingests = {k: run_tipdw(home, "ingest", *map(str, args)) for k, args in plan.items()}
    build = run_tipdw(home, "build", timeout=900)
    return FormatsHome(home, ingests, build)
