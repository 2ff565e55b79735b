"""``tipdw analysis``: researchers' SQL in ``analyses/``, compiled by dbt and run on the publication.

Analyses select from the published tables through the macro ``published('table')`` (schema main,
or ``published('countries', 'reference')``), not ``ref()``: ``ref()`` resolves to the build
database, which researchers never open. dbt compiles them with the ``offline`` target (an in-memory
DuckDB), so compiling never touches the build database that a running build holds. The compiled
SQL is cached under ``$TIPDW_HOME/analyses-target`` and recompiled when an analysis or macro
changes; it runs on the same guarded read-only connection as ``tipdw sql``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from tipdw import dbt
from tipdw.config import PROJECT_DIR, Home
from tipdw.sqlaccess import query

ANALYSES_DIR = PROJECT_DIR / "analyses"
DOCS_FILE = ANALYSES_DIR / "_analyses.yml"


class AnalysisError(Exception):
    """An analysis that does not exist, does not compile, or needs a table not yet published."""


@dataclass
class Analysis:
    name: str
    question: str
    caveats: str
    tables: list[str]


def catalog() -> dict[str, Analysis]:
    """Every analysis in ``analyses/`` with its documentation from ``analyses/_analyses.yml``."""
    docs = {}
    if DOCS_FILE.exists():
        for a in (yaml.safe_load(DOCS_FILE.read_text(encoding="utf-8")) or {}).get("analyses", []):
            docs[a["name"]] = a
    out = {}
    for path in sorted(ANALYSES_DIR.glob("*.sql")):
        d = docs.get(path.stem, {})
        meta = (d.get("config") or {}).get("meta") or {}
        out[path.stem] = Analysis(
            path.stem,
            " ".join(str(meta.get("question") or d.get("description") or "").split()),
            " ".join(str(meta.get("caveats") or "").split()),
            list(meta.get("tables") or []),
        )
    return out


def target_dir(home: Home) -> Path:
    return home.root / "analyses-target"


def compiled_path(home: Home, name: str) -> Path:
    return target_dir(home) / "compiled" / "tipdw" / "analyses" / f"{name}.sql"


def _sources_mtime() -> float:
    files = [*ANALYSES_DIR.glob("*.sql"), *(PROJECT_DIR / "macros").glob("*.sql")]
    return max((p.stat().st_mtime for p in files), default=0.0)


def compile_all(home: Home, force: bool = False) -> None:
    """Compile every analysis with dbt (offline target) unless the cached SQL is up to date."""
    home.ensure()
    stamp = target_dir(home) / ".compiled"
    if not force and stamp.exists() and stamp.stat().st_mtime >= _sources_mtime():
        return
    res = dbt.run(
        home,
        ["compile", "--select", "resource_type:analysis", "--no-populate-cache"],
        env={"TIPDW_TARGET": "offline", "DBT_TARGET_PATH": str(target_dir(home))},
    )
    if not res.ok:
        detail = "\n".join(res.failures) or res.output.strip()[-2000:]
        raise AnalysisError(f"dbt could not compile the analyses:\n{detail}")
    stamp.touch()


def compiled_sql(home: Home, name: str) -> str:
    """The compiled SQL of analysis ``name``."""
    if name not in catalog():
        raise AnalysisError(f"no analysis {name!r}; `tipdw analysis --list` lists them")
    compile_all(home)
    path = compiled_path(home, name)
    if not path.exists():
        compile_all(home, force=True)
    return path.read_text(encoding="utf-8")


def run(home: Home, name: str, db: Path | None = None) -> tuple[list[str], list[tuple]]:
    """Run analysis ``name`` read-only on the publication; return column names and rows."""
    import duckdb

    sql = compiled_sql(home, name)
    try:
        return query(home, sql, db)
    except duckdb.CatalogException as exc:
        missing = re.search(r"Table with name (\S+) does not exist", str(exc))
        if missing:
            raise AnalysisError(
                f"analysis {name!r} needs the published table {missing.group(1)}, which this "
                "publication does not have yet; rebuild once the model that makes it is in place"
            ) from None
        raise
