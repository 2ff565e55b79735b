"""``tipdw reference refresh``: regenerate the country code-list seeds from the field library.

Writes ``seeds/countries.csv`` (ISO3, ISO2, M49, names in the six UN languages, M49 regions, EU
membership) from the UN M49 taxonomy shipped with hdx-python-country (offline), and
``seeds/unodc_regions.csv`` (the UNODC Global Report regions) from documented rules over the M49
sub-regions. Both record the generator and library version. Kosovo (XKX) is added by tipdw.
Review the diff and commit it: seeds are code lists under version control.
"""

from __future__ import annotations

import csv
import importlib.metadata
from pathlib import Path

from ingest.countries import SUPPLEMENT

EU_MEMBERS = {  # Member states since 1 February 2020
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL",
    "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE",
}  # fmt: skip

# UNODC Global Report on Trafficking in Persons regions. Rules are applied in order: explicit
# countries first, then M49 intermediate region, then M49 sub-region.
UNODC_BY_COUNTRY = {
    **dict.fromkeys(["EST", "LVA", "LTU", "ALB", "BIH", "HRV", "MNE", "MKD", "SRB", "SVN", "XKX", "TUR",
                     "BGR", "CZE", "HUN", "POL", "ROU", "SVK"], "Central and South-Eastern Europe"),
    **dict.fromkeys(["BLR", "MDA", "RUS", "UKR", "ARM", "AZE", "GEO"], "Eastern Europe and Central Asia"),
    **dict.fromkeys(["CYP"], "Western and Southern Europe"),
}  # fmt: skip
UNODC_BY_INTERMEDIATE = {
    "Caribbean": "Central America and the Caribbean",
    "Central America": "Central America and the Caribbean",
    "South America": "South America",
}
UNODC_BY_SUBREGION = {
    "Northern America": "North America",
    "Northern Europe": "Western and Southern Europe",
    "Western Europe": "Western and Southern Europe",
    "Southern Europe": "Western and Southern Europe",
    "Eastern Europe": "Central and South-Eastern Europe",
    "Central Asia": "Eastern Europe and Central Asia",
    "Northern Africa": "North Africa and the Middle East",
    "Western Asia": "North Africa and the Middle East",
    "Sub-Saharan Africa": "Sub-Saharan Africa",
    "Southern Asia": "South Asia",
    "Eastern Asia": "East Asia and the Pacific",
    "South-eastern Asia": "East Asia and the Pacific",
    "Australia and New Zealand": "East Asia and the Pacific",
    "Melanesia": "East Asia and the Pacific",
    "Micronesia": "East Asia and the Pacific",
    "Polynesia": "East Asia and the Pacific",
}
LANGS = [
    ("en", "English"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("ru", "Russian"),
    ("zh", "Chinese"),
    ("ar", "Arabic"),
]
COUNTRY_COLUMNS = [
    "iso3", "iso2", "m49_code", *[f"name_{c}" for c, _ in LANGS], "m49_region_code", "m49_region_name",
    "m49_subregion_code", "m49_subregion_name", "m49_intermediate_region_code", "m49_intermediate_region_name",
    "is_eu_member", "generated_by",
]  # fmt: skip


def _code(v) -> str:
    return str(int(float(v))).zfill(3) if v not in (None, "") else ""


def country_rows() -> list[dict]:
    from hdx.location.country import Country

    version = importlib.metadata.version("hdx-python-country")
    gen = f"tipdw reference refresh; hdx-python-country {version}"
    rows = []
    for iso3, r in sorted(Country.countriesdata(use_live=False)["countries"].items()):
        if len(iso3) != 3 or r.get("Deprecated") == "Y":
            continue
        rows.append(
            {
                "iso3": iso3,
                "iso2": r.get("ISO 3166-1 Alpha 2-Codes") or "",
                "m49_code": _code(r.get("m49 numerical code")),
                **{f"name_{c}": r.get(f"M49 {lang}") or r.get(f"{lang} Short") or "" for c, lang in LANGS},
                "m49_region_code": _code(r.get("Region Code")),
                "m49_region_name": r.get("Region Name") or "",
                "m49_subregion_code": _code(r.get("Sub-region Code")),
                "m49_subregion_name": r.get("Sub-region Name") or "",
                "m49_intermediate_region_code": _code(r.get("Intermediate Region Code")),
                "m49_intermediate_region_name": r.get("Intermediate Region Name") or "",
                "is_eu_member": "true" if iso3 in EU_MEMBERS else "false",
                "generated_by": gen,
            }
        )
    for iso3, sup in SUPPLEMENT.items():
        reg = sup["region"]
        rows.append(
            {
                "iso3": iso3, "iso2": sup["iso2"], "m49_code": "",
                **{f"name_{c}": sup["names"][i] for i, (c, _) in enumerate(LANGS)},
                "m49_region_code": reg[0], "m49_region_name": reg[1], "m49_subregion_code": reg[2],
                "m49_subregion_name": reg[3], "m49_intermediate_region_code": reg[4],
                "m49_intermediate_region_name": reg[5], "is_eu_member": "false",
                "generated_by": "tipdw reference refresh; Kosovo supplement (not in ISO 3166 or M49)",
            }
        )  # fmt: skip
    return sorted(rows, key=lambda r: r["iso3"])


def unodc_rows(countries: list[dict]) -> list[dict]:
    out = []
    for c in countries:
        iso3 = c["iso3"]
        if iso3 in UNODC_BY_COUNTRY:
            region, why = UNODC_BY_COUNTRY[iso3], "named explicitly in the UNODC Global Report grouping"
        elif c["m49_intermediate_region_name"] in UNODC_BY_INTERMEDIATE:
            region = UNODC_BY_INTERMEDIATE[c["m49_intermediate_region_name"]]
            why = f"M49 intermediate region {c['m49_intermediate_region_name']}"
        elif c["m49_subregion_name"] in UNODC_BY_SUBREGION:
            region = UNODC_BY_SUBREGION[c["m49_subregion_name"]]
            why = f"M49 sub-region {c['m49_subregion_name']}"
        else:
            continue  # Antarctica and other areas with no UNODC region
        out.append({"iso3": iso3, "unodc_region": region, "comment": why})
    return out


def write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def refresh(seeds_dir: Path) -> dict[str, int]:
    """Regenerate the country seeds in ``seeds_dir``; return row counts per file."""
    countries = country_rows()
    write_csv(seeds_dir / "countries.csv", countries, COUNTRY_COLUMNS)
    unodc = unodc_rows(countries)
    write_csv(seeds_dir / "unodc_regions.csv", unodc, ["iso3", "unodc_region", "comment"])
    return {"countries.csv": len(countries), "unodc_regions.csv": len(unodc)}
