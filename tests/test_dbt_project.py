"""Static checks of the dbt project that guard against dbt behaviours found the hard way."""

from __future__ import annotations

import re

from tests.conftest import REPO

CONSISTENCY = REPO / "tests" / "consistency"


def test_consistency_tests_carry_their_config_in_their_own_file():
    """dbt's partial parsing dropped a singular test's config given in a properties file when a
    macro it uses changed: the next build turned three warnings into errors and refused to publish.
    A config in the test's own file survives it."""
    files = sorted(CONSISTENCY.glob("*.sql"))
    assert len(files) == 4
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert re.fullmatch(
            r"\{\{ config\(severity='(warn|error)', store_failures=true, schema='quality'\) \}\}", first
        ), path
    properties = (CONSISTENCY / "_consistency.yml").read_text(encoding="utf-8")
    assert "severity:" not in properties and "store_failures:" not in properties
