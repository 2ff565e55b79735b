"""Resolve what submitters write for a country (ISO3, ISO2, M49 number, or a name in any of the six
UN languages) to ISO 3166-1 alpha-3, using the UN M49 taxonomy shipped by hdx-python-country (offline).

The index is read straight from the taxonomy file inside that package (the file hdx-python-country
itself reads with ``use_live=False``): importing the library costs about a second, which every intake
would pay, so it is imported only for the fallback of names the index does not hold.

Kosovo is not in ISO 3166 nor in that taxonomy; tipdw uses the user-assigned code XKX for it.
"""

from __future__ import annotations

import csv
import difflib
import functools
import importlib.util
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# Kosovo (XKX) is absent from the field library; these are its UN-style names.
SUPPLEMENT = {
    "XKX": {
        "iso2": "XK",
        "m49": None,
        "names": ["Kosovo", "Kosovo", "Kosovo", "Косово", "科索沃", "كوسوفو", "Kosova", "Kosovo*"],
        "region": ("150", "Europe", "039", "Southern Europe", "", ""),
    }
}
TAXONOMY_FILE = "Countries & Territories Taxonomy MVP - C&T Taxonomy.csv"
NAME_FIELDS = (
    "English Short", "French Short", "Spanish Short", "Russian Short", "Chinese Short", "Arabic Short",
    "M49 English", "M49 French", "M49 Spanish", "M49 Russian", "M49 Chinese", "M49 Arabic",
    "Preferred Term", "ISO Alt Term", "DGACM Alt Term", "HPC Tools Alt Term", "RW Short Name",
    "RW API Alt Term", "English Formal",
)  # fmt: skip


def normalise(name: str) -> str:
    s = unicodedata.normalize("NFKD", str(name)).casefold()
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(s.replace("’", "'").replace("-", " ").replace(",", " ").split())


@dataclass(frozen=True)
class Resolution:
    iso3: str | None
    suggestions: tuple[str, ...] = ()


class CountryResolver:
    """Index of country codes and names built once from the offline M49 taxonomy."""

    def __init__(self) -> None:
        self.info: dict[str, dict] = {}
        self.by_name: dict[str, str] = {}
        self.by_iso2: dict[str, str] = {}
        self.by_m49: dict[str, str] = {}
        for row in taxonomy_rows():
            iso3 = (row.get("ISO 3166-1 Alpha 3-Codes") or "").strip().upper()
            if len(iso3) != 3:  # unofficial codes (x Alpha3) are left out, as hdx does by default
                continue
            self.info[iso3] = row
            if row.get("ISO 3166-1 Alpha 2-Codes"):
                self.by_iso2[row["ISO 3166-1 Alpha 2-Codes"]] = iso3
            if row.get("m49 numerical code"):
                self.by_m49[str(int(row["m49 numerical code"]))] = iso3
            for f in NAME_FIELDS:
                if row.get(f):
                    self.by_name.setdefault(normalise(row[f]), iso3)
        for iso3, sup in SUPPLEMENT.items():
            self.info.setdefault(iso3, {"English Short": sup["names"][0]})
            self.by_iso2[sup["iso2"]] = iso3
            for n in sup["names"]:
                self.by_name.setdefault(normalise(n), iso3)

    @staticmethod
    def _fuzzy(text: str) -> tuple[str | None, bool]:
        """hdx-python-country's own matching (abbreviations such as "Rep." and "St."), imported late."""
        from hdx.location.country import Country

        return Country.get_iso3_country_code_fuzzy(text, use_live=False)

    def is_iso3(self, code: str) -> bool:
        return code in self.info

    def name(self, iso3: str) -> str:
        return self.info.get(iso3, {}).get("English Short") or iso3

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one resolver per process
    def resolve(self, text: str) -> Resolution:
        s = str(text).strip()
        if not s:
            return Resolution(None)
        up = s.upper()
        if len(up) == 3 and up in self.info:
            return Resolution(up)
        if len(up) == 2 and up in self.by_iso2:  # "NA" is Namibia
            return Resolution(self.by_iso2[up])
        if s.isdigit() and str(int(s)) in self.by_m49:
            return Resolution(self.by_m49[str(int(s))])
        key = normalise(s)
        if key in self.by_name:
            return Resolution(self.by_name[key])
        if len(s) > 3:
            iso3, exact = self._fuzzy(s)
            if iso3 and exact:
                return Resolution(iso3)
        close = difflib.get_close_matches(key, list(self.by_name), n=3, cutoff=0.6)
        return Resolution(None, tuple(f"{self.by_name[c]} ({c})" for c in close))


def taxonomy_file() -> Path:
    """The M49 taxonomy CSV shipped inside hdx-python-country (found without importing it)."""
    spec = importlib.util.find_spec("hdx.location")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("hdx-python-country is not installed: pip install -e .")
    return Path(next(iter(spec.submodule_search_locations))) / TAXONOMY_FILE


def taxonomy_rows() -> list[dict[str, str]]:
    with taxonomy_file().open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@functools.cache
def resolver() -> CountryResolver:
    return CountryResolver()
