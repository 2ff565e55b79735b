"""The dbt unit tests (``unit_tests:`` in the models' yml) pass: microdata counting, crosswalk logic,
standard-grain sums, derived totals, suppression, SDG rates, the funnel and trends.

`tipdw build` skips unit tests (they test logic, not data); this runs them with real dbt on a copy of
the demo warehouse, whose tables give dbt the input relations it needs."""

from __future__ import annotations

import json
import shutil

from tipdw import dbt
from tipdw.config import Home


def test_every_dbt_unit_test_passes(demo_home, tmp_path):
    home = Home(tmp_path / "home")
    shutil.copytree(demo_home, home.root)
    out = dbt.run(home, ["test", "--select", "test_type:unit"])
    results = json.loads((home.target / "run_results.json").read_text())["results"]
    assert out.ok, "\n".join(out.failures) or out.output[-3000:]
    assert len(results) >= 10 and {r["status"] for r in results} == {"pass"}
    assert any("victim_with_two_forms" in r["unique_id"] for r in results)
