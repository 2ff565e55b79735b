"""``tipdw demo``: SYNTHETIC DEMO DATA, not official statistics.

Writes deterministic synthetic submissions (aggregate template files per country, a population file,
and case-level victims and cases files) for 12 countries in 6 UNODC regions, years 2015-2024, loads them through the same intake path
as ``tipdw ingest``, builds, publishes and prints a regional table.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

BANNER = "SYNTHETIC DEMO DATA, not official statistics"
YEARS = range(2015, 2025)
# iso3: (base detected victims, annual growth, share female, share child, population millions)
COUNTRIES = {
    "ARG": (420, 0.03, 0.62, 0.22, 43.1),
    "BRA": (900, 0.02, 0.58, 0.25, 204.0),
    "NGA": (1300, 0.05, 0.66, 0.45, 181.0),
    "KEN": (310, 0.04, 0.55, 0.40, 47.0),
    "NAM": (38, 0.02, 0.60, 0.35, 2.3),
    "DEU": (640, 0.01, 0.71, 0.18, 82.0),
    "ESP": (350, -0.01, 0.80, 0.10, 46.4),
    "ROU": (760, -0.03, 0.74, 0.33, 19.8),
    "THA": (520, 0.02, 0.65, 0.30, 69.0),
    "PHL": (980, 0.03, 0.63, 0.28, 101.0),
    "USA": (1500, 0.04, 0.72, 0.24, 321.0),
    "IND": (2100, 0.01, 0.61, 0.42, 1310.0),
}
SEXES = ("female", "male")
AGES = ("child", "adult")
FORMS = ("sexual_exploitation", "forced_labour", "other_forms")
COLUMNS = ["country", "year", "indicator", "sex", "age_group", "form_of_exploitation", "citizenship",
           "value", "unit", "obs_status", "note"]  # fmt: skip


def _split(total: int, shares: list[float], rng: random.Random) -> list[int]:
    """Split ``total`` into integer parts close to ``shares`` (deterministic)."""
    raw = [total * max(0.0, s + rng.uniform(-0.04, 0.04)) for s in shares]
    norm = sum(raw) or 1
    parts = [int(total * r / norm) for r in raw]
    parts[0] += total - sum(parts)
    return parts


def _victim_rows(iso3: str, year: int, rng: random.Random) -> list[dict]:
    base, growth, female, child, _ = COUNTRIES[iso3]
    total = max(0, int(base * (1 + growth) ** (year - 2015) * rng.uniform(0.85, 1.15)))
    fem_share = {"female": female, "male": 1 - female}
    cells: dict[tuple[str, str, str], int] = {}
    sex_parts = _split(total, [fem_share[s] for s in SEXES], rng)
    for s, n_s in zip(SEXES, sex_parts, strict=True):
        for a, n_a in zip(AGES, _split(n_s, [child, 1 - child], rng), strict=True):
            form_shares = [0.7, 0.2, 0.1] if s == "female" else [0.15, 0.7, 0.15]
            for f, n in zip(FORMS, _split(n_a, form_shares, rng), strict=True):
                cells[(s, a, f)] = n
    rows = []
    for s in (*SEXES, "total"):
        for a in (*AGES, "total"):
            for f in (*FORMS, "total"):
                v = sum(n for (cs, ca, cf), n in cells.items()
                        if s in (cs, "total") and a in (ca, "total") and f in (cf, "total"))  # fmt: skip
                rows.append({"indicator": "detected_victims", "sex": s, "age_group": a,
                             "form_of_exploitation": f, "citizenship": "total", "value": v})  # fmt: skip
    nationals = int(total * rng.uniform(0.3, 0.8))
    for c, v in (("nationals", nationals), ("foreign", total - nationals)):
        rows.append({"indicator": "detected_victims", "sex": "total", "age_group": "total",
                     "form_of_exploitation": "total", "citizenship": c, "value": v})  # fmt: skip
    contact = int(total * rng.uniform(0.4, 0.9))
    prosecuted = int(contact * rng.uniform(0.3, 0.7))
    convicted = int(prosecuted * rng.uniform(0.2, 0.6))
    for ind, v in (("persons_in_formal_contact", contact), ("persons_prosecuted", prosecuted),
                   ("persons_convicted", convicted)):  # fmt: skip
        fem = int(v * rng.uniform(0.2, 0.45))
        for s, n in (("female", fem), ("male", v - fem), ("total", v)):
            rows.append({"indicator": ind, "sex": s, "age_group": "total", "form_of_exploitation": "total",
                         "citizenship": "total", "value": n})  # fmt: skip
    return rows


# Case-level demo (source national_casework): KEN's 2024 victims and KEN/NGA 2024 cases with modus
# operandi. Victims use only sexes, age groups and forms that KEN's aggregate file already reports, and
# every group holds at least 5 persons, so the aggregate cells (where the national source wins by
# precedence) and their suppression stay exactly as before; the case-level rows add citizenship detail.
# (sex, age, forms, citizenship, persons)
CASEWORK_VICTIMS = [
    ("female", 31, "sexual_exploitation", "KEN", 10), ("female", 27, "sexual_exploitation", "UGA", 6),
    ("female", 15, "sexual_exploitation", "KEN", 8), ("female", 16, "sexual_exploitation", "TZA", 5),
    ("female", 24, "forced_labour", "KEN", 5), ("female", 29, "sexual_exploitation|forced_labour", "KEN", 5),
    ("male", 35, "forced_labour", "KEN", 12), ("male", 41, "forced_labour", "ETH", 7),
    ("male", 14, "other_forms", "KEN", 5),
]  # fmt: skip
# (country, cases, agency involved, fees charged, fraudulent job offer, transnational, means of control)
CASEWORK_CASES = [("KEN", 24, 14, 9, 11, 15, ("debt_bondage", "withholding_documents", "threats")),
                  ("NGA", 18, 6, 8, 12, 10, ("debt_bondage", "threats", "physical_violence"))]  # fmt: skip
CASEWORK_YEAR = 2024


def _casework(out_dir: Path) -> list[Path]:
    """Synthetic case-level files: victims (with identifying columns the intake drops) and cases."""
    victims = out_dir / "SYNTHETIC-DEMO-DATA_KEN_victims.csv"
    with victims.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["country", "person_id", "full_name", "phone", "sex", "age", "citizenship", "forms_of_exploitation",
                    "year_identified", "identifying_agency"])  # fmt: skip
        n = 0
        for sex, age, forms, citizenship, persons in CASEWORK_VICTIMS:
            for _ in range(persons):
                n += 1
                w.writerow(["KEN", f"DEMO-V{n:04d}", f"Synthetic Person {n}", f"+000 {n:07d}", sex, age, citizenship,
                            forms, CASEWORK_YEAR, "police"])  # fmt: skip
    cases = out_dir / "SYNTHETIC-DEMO-DATA_cases.csv"
    with cases.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["country", "case_id", "year", "stage", "recruitment_method", "recruitment_agency_involved",
                    "recruitment_fees_charged", "fraudulent_job_offer", "means_of_control", "transnational"])  # fmt: skip
        for iso3, n_cases, agency, fees, fraud, transnational, means in CASEWORK_CASES:
            for i in range(n_cases):
                yes = lambda k, i=i: "yes" if i < k else "no"  # noqa: E731
                w.writerow([iso3, f"DEMO-{iso3}-C{i + 1:03d}", CASEWORK_YEAR, "prosecuted" if i % 2 else "convicted",
                            "job_offer" if i < fraud else "other", yes(agency), yes(fees), yes(fraud),
                            "|".join(m for j, m in enumerate(means) if (i + j) % 3 != 2),
                            "transnational" if i < transnational else "domestic"])  # fmt: skip
    return [victims, cases]


def generate(out_dir: Path) -> list[Path]:
    """Write the synthetic submissions into ``out_dir``; return the files in load order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for iso3 in COUNTRIES:
        rng = random.Random(f"tipdw-demo-{iso3}")
        path = out_dir / f"SYNTHETIC-DEMO-DATA_{iso3}_aggregates.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
            w.writeheader()
            for year in YEARS:
                if iso3 == "KEN" and year in (2017, 2018):
                    continue  # a reporting gap, for coverage and the gap map
                for row in _victim_rows(iso3, year, rng):
                    value = row["value"]
                    text = str(value)
                    if iso3 == "NAM" and 0 < value < 5 and row["sex"] != "total":
                        text = "<5"  # suppressed at source, as UNODC files do
                    w.writerow({**row, "country": iso3, "year": year, "value": text, "unit": "persons",
                                "obs_status": "", "note": BANNER})  # fmt: skip
        files.append(path)
    files.append(_population(out_dir))
    files.extend(_casework(out_dir))
    return files


def _population(out_dir: Path) -> Path:
    path = out_dir / "SYNTHETIC-DEMO-DATA_population.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["country", "year", "sex", "age_group", "population"])
        for iso3, (_, _, _, child, millions) in COUNTRIES.items():
            rng = random.Random(f"tipdw-demo-pop-{iso3}")
            child_share = min(0.45, child * 0.9 + 0.1)
            for year in YEARS:
                total = int(millions * 1e6 * (1.01 ** (year - 2015)))
                cells = {}
                for s, ss in (("female", 0.505 + rng.uniform(-0.01, 0.01)), ("male", None)):
                    n_s = int(total * ss) if ss else total - cells[("female", "total")]
                    n_c = int(n_s * child_share)
                    cells[(s, "total")], cells[(s, "child")], cells[(s, "adult")] = n_s, n_c, n_s - n_c
                for a in ("child", "adult", "total"):
                    cells[("total", a)] = cells[("female", a)] + cells[("male", a)]
                for (s, a), n in sorted(cells.items()):
                    w.writerow([iso3, year, s, a, n])
    return path


REGIONAL_SQL = """
with t as (
    select region, year, sex, age_group, value, countries_reporting
    from regional_aggregates
    where region_type = 'unodc_region' and indicator = 'detected_victims'
      and form_of_exploitation = 'total' and citizenship = 'total'
)
select region, year,
       max(value) filter (where sex = 'total' and age_group = 'total') as victims,
       max(value) filter (where sex = 'female' and age_group = 'adult') as women,
       max(value) filter (where sex = 'female' and age_group = 'child') as girls,
       max(value) filter (where sex = 'male' and age_group = 'adult') as men,
       max(value) filter (where sex = 'male' and age_group = 'child') as boys,
       max(countries_reporting) filter (where sex = 'total' and age_group = 'total') as countries
from t group by region, year order by region, year
"""


def run_demo(home, out_dir: Path | None, echo) -> int:
    """Generate, ingest, build and print. Returns the process exit code."""
    from ingest.intake import ingest_file
    from tipdw.build import build
    from tipdw.output import render
    from tipdw.sqlaccess import query

    out_dir = out_dir or home.root / "demo-input"
    echo(f"*** {BANNER} ***")
    files = generate(out_dir)
    echo(f"Wrote {len(files)} synthetic submissions to {out_dir}")
    from ingest.privacy import KeyMissing, ensure_key

    try:
        made = ensure_key(home.root)
    except KeyMissing as exc:
        echo(f"tipdw demo: {exc}")
        return 1
    if made:
        echo(f"Created a pseudonym key for the case-level demo files at {made} (outside TIPDW_HOME).")
    for path in files:
        out = ingest_file(path, home, submitter="tipdw demo (SYNTHETIC)")
        if out.status == "duplicate":
            echo(f"  {path.name}: already loaded as submission {out.submission_id}")
        elif out.ok:
            echo(f"  {path.name}: accepted as submission {out.submission_id}, {out.rows_loaded} rows")
        else:
            for p in out.problems.errors:
                echo(p.line())
            echo(f"  {path.name}: REJECTED")
            return 1
    echo("Building (dbt seed, run, test) and publishing...")
    result = build(home)
    for f in result.failures:
        echo(f"FAIL {f}")
    echo(result.summary)
    if result.exit_code:
        return result.exit_code
    cols, rows = query(home, REGIONAL_SQL)
    echo(f"\nDetected victims by UNODC region and year ({BANNER}).")
    echo(
        "Detected victims reflect detection capacity, not prevalence. Women/girls/men/boys are adults/children by sex."
    )
    echo(render(cols, rows))
    echo(f"\nPublished database: {home.published_db}")
    echo(f'Query it with: TIPDW_HOME={home.root} tipdw sql "select * from regional_aggregates limit 10"')
    echo(f"*** {BANNER} ***")
    return 0
