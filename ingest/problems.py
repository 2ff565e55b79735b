"""Problems found in a submission: each names the file, sheet, row, column, value, rule and fix."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str
    fix: str
    file: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: str = "error"  # error rejects the submission; warning is reported only

    def line(self) -> str:
        where = self.file
        if self.sheet:
            where += f" [{self.sheet}]"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        val = f" (value {self.value!r})" if self.value not in (None, "") else ""
        return f"{self.severity.upper()} {where}: {self.message}{val}. Fix: {self.fix} [{self.rule}]"


@dataclass
class Problems:
    """An ordered collection of problems, capped per rule so a broken file gives a readable report."""

    items: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    per_rule_cap: int = 200

    def add(self, p: Problem) -> None:
        self.counts[p.rule] = self.counts.get(p.rule, 0) + 1
        if self.counts[p.rule] <= self.per_rule_cap:
            self.items.append(p)

    def extend(self, ps) -> None:
        for p in ps:
            self.add(p)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def summary(self) -> dict:
        return {
            "errors": sum(1 for p in self.items if p.severity == "error"),
            "warnings": sum(1 for p in self.items if p.severity == "warning"),
            "by_rule": dict(sorted(self.counts.items())),
        }

    def write(self, stem: Path) -> tuple[Path, Path]:
        """Write the report as ``stem.csv`` and ``stem.json``; return both paths."""
        stem.parent.mkdir(parents=True, exist_ok=True)
        csv_path, json_path = stem.with_suffix(".csv"), stem.with_suffix(".json")
        cols = list(Problem.__dataclass_fields__)
        with csv_path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=cols)
            w.writeheader()
            for p in self.items:
                w.writerow(asdict(p))
        json_path.write_text(
            json.dumps({"summary": self.summary(), "problems": [asdict(p) for p in self.items]}, indent=2),
            encoding="utf-8",
        )
        return csv_path, json_path


class IntakeError(Exception):
    """A submission cannot be read at all (unknown layout, unreadable file)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.line() for p in problems))
