"""Where tipdw keeps things: one home directory per warehouse.

``TIPDW_HOME`` (default ``./warehouse``) holds the build database, the published copy, logs and
reports. The pseudonym key never lives there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
"""The dbt project: the repository root, which holds dbt_project.yml."""


def parse_cache() -> Path:
    """Where dbt's parse state after the last build of any home of this installation is kept
    (``tipdw.dbt.seed_parse_cache``): ``TIPDW_PARSE_CACHE``, default ``target/`` in the project."""
    return Path(os.environ.get("TIPDW_PARSE_CACHE") or PROJECT_DIR / "target" / "tipdw-partial-parse.msgpack")


@dataclass(frozen=True)
class Home:
    """Paths inside one warehouse home directory."""

    root: Path

    @classmethod
    def from_env(cls) -> Home:
        root = Path(os.environ.get("TIPDW_HOME", "warehouse")).expanduser().resolve()
        return cls(root)

    @property
    def build_db(self) -> Path:
        return self.root / "tipdw.duckdb"

    @property
    def published_db(self) -> Path:
        return self.root / "published.duckdb"

    @property
    def publications(self) -> Path:
        return self.root / "publications"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def target(self) -> Path:
        return self.root / "dbt-target"

    @property
    def lock(self) -> Path:
        return self.root / "write.lock"

    def ensure(self) -> Home:
        for p in (self.root, self.logs, self.reports, self.publications):
            p.mkdir(parents=True, exist_ok=True)
        return self


def min_cell() -> int:
    """The primary suppression threshold k (``TIPDW_MIN_CELL``, default 5)."""
    return int(os.environ.get("TIPDW_MIN_CELL", "5"))
