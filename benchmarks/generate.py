"""Deterministic SYNTHETIC benchmark data (not official statistics).

- ``victims(path, rows)``: case-level victims shaped like national police / NRM extracts, in the
  layout of tipdw's case-level victims template, plus the direct identifiers (names, date of birth)
  that intake must drop. Columns come from the template itself (``VICTIM_COLUMNS``), so the file
  follows the template when it changes.
- ``victims_xlsx(path, rows)``: the first ``rows`` victims as a workbook.
- ``aggregates(path, countries, years)``: aggregate-template rows for 200 countries x 20 years in
  one submission, and ``aggregate_country(path, iso3)`` for one single-country resubmission;
- ``victims_country(path, iso3)``: one single-country case-level submission of new victims.

Columns are built with numpy from a fixed seed and written by pyarrow: 5M rows take seconds, and the
same arguments always give byte-identical files.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from tipdw.config import PROJECT_DIR

SEED = 20261129
IDENTIFIER_COLUMNS = ["first_name", "last_name"]  # direct identifiers intake must drop (with the DOB)


def _template_columns() -> list[str]:
    """The victims template's columns, from the case-level reader when it exists."""
    try:
        from ingest.readers.casework import VICTIM_FIELDS
    except ImportError:  # before case-level intake: the documented template columns
        return ["country", "person_id", "case_id", "sex", "age", "age_band", "date_of_birth", "citizenship",
                "forms_of_exploitation", "year_identified", "date_identified", "identifying_agency"]  # fmt: skip
    return [f.name for f in VICTIM_FIELDS]


VICTIM_COLUMNS = _template_columns() + IDENTIFIER_COLUMNS
# National police / NRM extracts: a few large reporting countries, nationals and foreigners.
COUNTRIES = ["KEN", "NGA", "GBR", "USA", "PHL", "THA", "ROU", "DEU", "BRA", "IND"]
NEIGHBOURS = ["UGA", "TZA", "ETH", "SOM", "VNM", "ALB", "BGR", "CHN", "ERI", "SDN", "MEX", "NPL"]
FORMS = ["sexual_exploitation", "forced_labour", "forced_criminal_activity", "begging", "forced_marriage",
         "sexual_exploitation|forced_labour", "forced_labour|forced_criminal_activity", "other", "unknown"]  # fmt: skip
FORM_P = [0.38, 0.30, 0.10, 0.04, 0.03, 0.06, 0.04, 0.03, 0.02]
AGENCIES = ["police", "labour_inspection", "border_guard", "ngo", "social_services", "immigration"]
FIRST = [
    "Amina",
    "Grace",
    "Maria",
    "Ion",
    "Ana",
    "Joy",
    "Mercy",
    "Dang",
    "Somchai",
    "Priya",
    "Elena",
    "Fatuma",
]
LAST = ["Otieno", "Okafor", "Smith", "Popescu", "Santos", "Reyes", "Nguyen", "Kaur", "Mwangi", "Ivanova"]


def _pick(rng: np.random.Generator, values: list[str], n: int, p: list[float] | None = None) -> pa.Array:
    return pa.array(values).take(pa.array(rng.choice(len(values), size=n, p=p)))


def _text(a) -> pa.Array:
    return pc.cast(pa.array(a) if isinstance(a, np.ndarray) else a, pa.string())


def _dates(rng: np.random.Generator, years: np.ndarray) -> pa.Array:
    days = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]") + rng.integers(0, 365, len(years))
    return _text(pa.array(days.astype("datetime64[D]")))


def _blank_unless(mask: np.ndarray, values: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(mask), values, "")


def victim_table(rows: int, seed: int = SEED) -> pa.Table:
    """``rows`` synthetic victims (every template column, plus names) as text columns."""
    rng = np.random.default_rng(seed)
    n = int(rows)
    idx = np.arange(n)
    country = _pick(rng, COUNTRIES, n, [0.25, 0.2, 0.15, 0.1, 0.08, 0.07, 0.06, 0.04, 0.03, 0.02])
    year = rng.integers(2015, 2025, size=n)
    age = np.clip(rng.gamma(4.0, 6.5, size=n).astype(int) + 3, 1, 80)
    has_dob = rng.random(n) < 0.35
    age_known = rng.random(n) < 0.9
    nationals = rng.random(n) < 0.45
    cit = pc.if_else(pa.array(nationals), country, _pick(rng, NEIGHBOURS, n))
    text = {
        "country": country,
        "person_id": pc.binary_join_element_wise("V-", _text(idx), ""),
        "case_id": pc.binary_join_element_wise("C-", _text(idx // 3), ""),
        "sex": _pick(rng, ["female", "male", "unknown", "other"], n, [0.6, 0.37, 0.025, 0.005]),
        "age": _blank_unless(age_known & ~has_dob, _text(age)),
        "age_band": _blank_unless(~age_known & ~has_dob, pc.if_else(pa.array(age < 18), "0-17", "18+")),
        "date_of_birth": _blank_unless(has_dob, _dates(rng, year - age)),
        "citizenship": _blank_unless(rng.random(n) >= 0.05, cit),
        "forms_of_exploitation": _pick(rng, FORMS, n, FORM_P),
        "year_identified": _text(year),
        "date_identified": _blank_unless(rng.random(n) < 0.7, _dates(rng, year)),
        "identifying_agency": _pick(rng, AGENCIES, n),
        "first_name": _pick(rng, FIRST, n),
        "last_name": _pick(rng, LAST, n),
    }
    blank = pa.array([""] * n) if any(c not in text for c in VICTIM_COLUMNS) else None
    return pa.table({c: text.get(c, blank) for c in VICTIM_COLUMNS})


def victims(path: Path, rows: int, seed: int = SEED) -> Path:
    """Write ``rows`` victims as a template CSV; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(victim_table(rows, seed), path, pacsv.WriteOptions(quoting_style="none"))
    return path


def victims_country(path: Path, iso3: str, rows: int = 2000, seed: int = SEED + 2) -> Path:
    """A single-country case-level submission of ``rows`` new victims (ids unlike any other file's),
    for the incremental build after case-level data."""
    table = victim_table(rows, seed)
    tag = f"{iso3}{seed}-"
    for name in ("person_id", "case_id"):
        i = table.column_names.index(name)
        table = table.set_column(i, name, pc.binary_join_element_wise(tag, table[name], ""))
    table = table.set_column(
        table.column_names.index("country"), "country", pa.array([iso3] * table.num_rows)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))
    return path


def victims_xlsx(path: Path, rows: int, seed: int = SEED) -> Path:
    """Write ``rows`` victims as a one-sheet workbook (xlsxwriter, constant memory)."""
    import xlsxwriter

    table = victim_table(rows, seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("victims")
    ws.write_row(0, 0, table.column_names)
    cols = [c.to_pylist() for c in table.columns]
    for i, row in enumerate(zip(*cols, strict=True), start=1):
        ws.write_row(i, 0, row)
    wb.close()
    return path


def world_countries(count: int = 200) -> list[str]:
    with (PROJECT_DIR / "seeds" / "countries.csv").open(encoding="utf-8") as fh:
        return sorted(r["iso3"] for r in csv.DictReader(fh))[:count]


AGG_HEADER = [
    "country",
    "year",
    "indicator",
    "sex",
    "age_group",
    "form_of_exploitation",
    "citizenship",
    "value",
]
CELLS = [(s, a, f) for s in ("female", "male", "total") for a in ("child", "adult", "total")
         for f in ("sexual_exploitation", "forced_labour", "other_forms", "total")]  # fmt: skip


def _aggregate_rows(iso3: str, years: range, rng: np.random.Generator, bump: int = 0):
    level = int(rng.integers(20, 3000))  # a country's detection level, drifting a few % a year
    for y in years:
        base = int(level * rng.uniform(0.92, 1.1)) + bump
        level = max(20, int(level * rng.uniform(0.97, 1.06)))
        for s, a, f in CELLS:
            share = (0.6 if s == "female" else 0.4 if s == "male" else 1) * (
                0.3 if a == "child" else 0.7 if a == "adult" else 1
            )
            share *= {"sexual_exploitation": 0.5, "forced_labour": 0.35, "other_forms": 0.15, "total": 1}[f]
            yield [iso3, y, "detected_victims", s, a, f, "total", int(base * share)]


def aggregates(path: Path, countries: int = 200, years: int = 20, seed: int = SEED) -> Path:
    """One aggregate-template submission: ``countries`` x ``years`` x 36 cells."""
    rng = np.random.default_rng(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(AGG_HEADER)
        for iso3 in world_countries(countries):
            w.writerows(_aggregate_rows(iso3, range(2025 - years, 2025), rng))
    return path


def aggregate_country(path: Path, iso3: str, years: int = 20, seed: int = SEED + 1) -> Path:
    """A single-country resubmission (revised figures), for the incremental build."""
    rng = np.random.default_rng(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(AGG_HEADER)
        w.writerows(_aggregate_rows(iso3, range(2025 - years, 2025), rng, bump=7))
    return path
