"""`tipdw docs --out DIR`: offline dbt documentation covering every model, column and source, in one
static page that loads nothing from the internet."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import run_tipdw
from tipdw.docs import check_offline


@pytest.fixture(scope="module")
def site(demo_home, tmp_path_factory):
    out = tmp_path_factory.mktemp("docs") / "site"
    proc = run_tipdw(demo_home, "docs", "--out", str(out), timeout=600)
    assert str(out / "index.html") in proc.stdout
    return out


def test_the_page_loads_nothing_from_the_internet(site):
    page = (site / "index.html").read_text(encoding="utf-8")
    assert len(page) > 100_000  # the manifest and catalog are inlined
    assert check_offline(page) == []
    # Independently of tipdw's own check: no external script, stylesheet, font or image.
    for pattern in (r"<script[^>]+src=[\"']?(https?:)?//", r"<link[^>]+href=[\"']?(https?:)?//",
                    r"@import\s+url\(\s*[\"']?(https?:)?//", r"fonts\.googleapis", r"cdn\.jsdelivr",
                    r"unpkg\.com", r"cdnjs"):  # fmt: skip
        assert not re.search(pattern, page, re.IGNORECASE), pattern


def test_the_offline_check_catches_a_cdn_reference():
    assert check_offline('<script src="https://cdn.example.org/x.js"></script>')
    assert check_offline('<link rel="stylesheet" href="//fonts.example.com/a.css">')
    assert check_offline("<style>@import url('https://x.org/a.css');</style>")
    assert check_offline('<a href="https://example.org">a link is not a fetch</a>') == []


def test_every_model_column_and_source_is_documented(site):
    page = (site / "index.html").read_text(encoding="utf-8")
    lowered = page.lower()
    manifest = json.loads((site / "manifest.json").read_text())
    catalog = json.loads((site / "catalog.json").read_text())
    models = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "model"}
    assert len(models) >= 12 and "model.tipdw.regional_aggregates" in models
    for uid, node in models.items():
        assert uid in page, uid
        assert uid in catalog["nodes"], f"{uid} has no catalog entry (not built?)"
        assert node["description"].strip(), f"{uid} has no description"
        for col in catalog["nodes"][uid]["columns"]:
            assert col.lower() in lowered, f"{uid}.{col}"
    assert manifest["sources"]
    for uid, src in manifest["sources"].items():
        assert uid in page and src["description"].strip(), uid
    # Published marts document every column.
    for uid in ("model.tipdw.regional_aggregates", "model.tipdw.revisions"):
        cols = models[uid]["columns"]
        assert cols and all(c["description"].strip() for c in cols.values()), uid
