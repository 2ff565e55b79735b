"""One log file per run under ``$TIPDW_HOME/logs``, for commands other than build (build.py logs builds).

Logs hold outcomes and counts only: never row values, identifiers or the pseudonym key.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tipdw.config import Home


def write_run_log(home: Home, kind: str, lines: list[str]) -> Path:
    """Write ``lines`` to ``logs/<kind>-<timestamp>.log`` and return its path."""
    home.logs.mkdir(parents=True, exist_ok=True)
    path = home.logs / f"{kind}-{datetime.now():%Y%m%dT%H%M%S%f}.log"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def log_ingest(home: Home, out) -> Path:
    """Log one ingest outcome (``ingest.intake.Outcome``): status, file, submission and counts."""
    problems = getattr(out, "problems", None)
    errors = len(problems.errors) if problems is not None else 0
    warnings = len(problems.warnings) if problems is not None else 0
    summary = (
        f"tipdw ingest {str(out.status).upper()}: {Path(str(out.file)).name} "
        f"submission={out.submission_id} format={out.format} rows_loaded={out.rows_loaded} "
        f"errors={errors} warnings={warnings}"
    )
    lines = [summary, f"file {out.file}"]
    if getattr(out, "memory_retry", False):
        lines.append("memory: the copy ran out of memory under its cap and was done again without it "
                     "(raise TIPDW_INTAKE_HEADROOM_MIB, default 192)")  # fmt: skip
    return write_run_log(home, "ingest", lines)
