"""``tipdw ingest``: read a file, gate it, and load it as one accountable submission.

The path of a file: read (format reader) → gate (rules on every row) → registry → raw tables, all in
one transaction on the warehouse. Parsing and the reader's checks happen before the warehouse is
opened, so a slow or broken file never holds the writer lock. Aggregate batches are gated before too;
case-level batches are views that pseudonymise as they are read, so they are gated on the rows they
insert, inside the transaction and before its commit (the HMACs are computed once, and the parsed
rows never sit in memory beside the file's text).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from ingest import registry
from ingest.gate import check
from ingest.privacy import KeyMissing, load_key
from ingest.problems import IntakeError, Problem, Problems
from ingest.readers import Context, detect, get_reader
from ingest.readers.sqlsource import progress
from tipdw.config import Home
from tipdw.lock import writer_lock

RAW_TABLES = {
    "aggregates": "raw.aggregate_observations",
    "population": "raw.population",
    "victims": "raw.case_victims",
    "suspects": "raw.case_suspects",
    "cases": "raw.case_cases",
    "case_list_values": "raw.case_list_values",  # rows of the victims/cases datasets; no scope of their own
}


@dataclass
class Outcome:
    status: str  # accepted | rejected | duplicate | refused (case-level file without a pseudonym key)
    submission_id: int | None
    file: str
    format: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    problems: Problems = field(default_factory=Problems)
    report: list[Path] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)
    memory_retry: bool = False  # the capped copy ran out of memory and was done again without the cap

    @property
    def ok(self) -> bool:
        return self.status in ("accepted", "duplicate")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ingest_file(
    path: Path,
    home: Home,
    fmt: str = "auto",
    country: str | None = None,
    submitter: str | None = None,
    source: str | None = None,
    sheet: str | None = None,
    decimal: str = ".",
    wait: float = 0.0,
) -> Outcome:
    """Load one file as a submission. Never raises for bad input: problems are in the outcome."""
    path = Path(path)
    home.ensure()
    if not path.is_file():
        p = Problems()
        p.add(Problem("file.missing", "there is no such file", "check the path", file=str(path)))
        return Outcome("rejected", None, str(path), problems=p)
    digest = sha256_file(path)
    problems = Problems()
    reader = None
    result = None
    mem = duckdb.connect()
    # Case-level rows hold submitted ids (and dates of birth) until pseudonymised: never spill to disk.
    mem.execute("set temp_directory = ''")
    bar = progress(path, 3)
    try:
        reader = detect(path) if fmt == "auto" else get_reader(fmt)
        ctx = Context(country=country.upper() if country else None, sheet=sheet, decimal=decimal, con=mem,
                      file_digest=digest)  # fmt: skip
        if getattr(reader, "case_level", False):
            # Case-level intake refuses to run without a pseudonym key (ingest/privacy.py).
            ctx.pseudonym_key = load_key(home.root)
        result = reader.read(path, ctx)
        problems.extend(result.problems.items)
    except KeyMissing as exc:
        problems.add(
            Problem("key.missing", str(exc), "run `tipdw keygen`, then ingest again", file=path.name)
        )
        mem.close()
        bar.close()
        return Outcome("refused", None, path.name, reader.name if reader else None, problems=problems)
    except IntakeError as exc:
        for p in exc.problems:
            problems.add(Problem(**{**p.__dict__, "file": p.file or path.name}))
    except duckdb.Error as exc:  # the message's first line only: later lines may quote the file's text
        reason = str(exc).splitlines()[0][:200]
        problems.add(Problem("file.unparseable", f"the file cannot be read: {reason}",
                             "check the delimiter, quoting and encoding (UTF-8)", file=path.name))  # fmt: skip
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        # A reader met a shape it did not expect: report it as bad input, never a traceback. Only the
        # exception's type and first line are shown; they may not quote identifying cell values.
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
        problems.add(Problem("file.unreadable", f"the file does not have the {reader.name if reader else 'expected'} "
                             f"layout it appears to have ({reason})",
                             "check the header and that every row has the same columns, or pass --format",
                             file=path.name))  # fmt: skip
    bar.update()
    label = source or (reader.source if reader else "unknown")
    outcome = Outcome("rejected", None, path.name, reader.name if reader else None, problems=problems)
    if result is not None:
        outcome.rows_read = result.rows_read
        outcome.dropped_columns = result.dropped_columns

    try:
        if result is not None:
            # Case-level batches are views that pseudonymise as they are read: they are gated on the rows
            # they insert, before the commit (below), so that the HMACs are computed once.
            for dataset, frame in result.tables.items():
                mem.register(f"frame_{dataset}", frame)
                mem.execute(f"create temp table batch_{dataset} as select * from frame_{dataset}")
                mem.unregister(f"frame_{dataset}")
                problems.extend(check(mem, dataset, f"batch_{dataset}", path.name, country).items)
            if not problems.errors and not _has_rows(result):
                problems.add(
                    Problem(
                        "file.no_rows", "the file has no data rows", "fill in the template", file=path.name
                    )
                )

        bar.update()
        with writer_lock(home.lock, timeout=wait, what=f"ingest {path.name}"), _attached(mem, home.build_db):
            mem.execute("use wh")
            registry.ensure_schema(mem)
            dup = registry.find_loaded(mem, digest, label)
            if dup is not None:
                outcome.status, outcome.submission_id = "duplicate", dup
                return outcome
            now = datetime.now()
            sid = registry.next_id(mem)
            outcome.submission_id = sid

            def record(status: str, scope: list[tuple], loaded: int) -> None:
                """Register the submission (and, if accepted, its scope) in the open transaction."""
                mem.execute(
                    """
                    insert into raw.submissions (submission_id, received_at, decided_at, submitter, source, format,
                        file_name, sha256, status, rows_read, rows_loaded, countries, years, datasets,
                        dropped_columns, validation_summary, metadata)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        sid, now, now, submitter, label, outcome.format or "unknown", path.name, digest, status,
                        outcome.rows_read, loaded, _join({s[1] for s in scope}), _join({str(s[2]) for s in scope}),
                        _join({s[3] for s in scope}), _join(outcome.dropped_columns),
                        registry.summary_json(problems.summary()),
                        registry.summary_json(result.metadata if result else {}),
                    ],
                )  # fmt: skip
                if scope:
                    mem.executemany(
                        "insert into raw.submission_scopes values (?, ?, ?, ?, ?, ?, ?, ?, null)",
                        [[sid, label, c, y, d, result.action, n, now] for _, c, y, d, n in scope],
                    )  # fmt: skip

            def gate(dataset: str, relation: str) -> list[Problem]:
                return check(mem, dataset, relation, path.name, country).items

            status = "rejected" if problems.errors or result is None else "accepted"
            if status == "accepted":
                loaded, outcome.memory_retry = _load(mem, result, sid, problems, record, gate)
                if loaded is None:
                    status = "rejected"
                outcome.rows_loaded = loaded or 0
            if status == "rejected":
                mem.execute("begin transaction")
                record("rejected", [], 0)
                mem.execute("commit")
            bar.update()
            outcome.status = status
            if problems.items:
                outcome.report = list(problems.write(home.reports / f"submission_{sid}_problems"))
            return outcome
    finally:
        mem.close()
        bar.close()


@contextlib.contextmanager
def _attached(mem: duckdb.DuckDBPyConnection, db: Path):
    """Attach the warehouse as ``wh``, and detach it before the writer lock is released: otherwise
    DuckDB's own file lock is still held when the next writer takes ours, and it fails."""
    mem.execute(f"attach '{db}' as wh")
    try:
        yield
    finally:
        for sql in ("rollback", "use memory", "detach wh"):
            with contextlib.suppress(duckdb.Error):
                mem.execute(sql)


def _load(mem: duckdb.DuckDBPyConnection, result, sid: int, problems: Problems, record, gate) -> tuple:
    """Insert the batch's rows and register them (``record``) in one transaction. Returns the rows
    loaded, or None when ``gate`` (dataset, relation: its problems, added to ``problems``) rejected
    them (the transaction is rolled back, and the caller records the rejection); and whether the copy
    had to be done again.

    Case-level batches are gated on the rows they inserted, before the commit (the readers' own checks
    have rejected blank ids, countries and years, which the raw tables' NOT NULL would refuse). If the
    memory cap for copying and gating (``_tune_for_insert``) proves too tight, the transaction is
    rolled back and done again without the cap (the gate lets an out-of-memory error through rather
    than report it as a failed rule). Any other error rolls back and is raised."""
    try:
        try:
            return _load_once(mem, result, sid, problems, record, gate, capped=True), False
        except duckdb.OutOfMemoryException:
            _rollback(mem)
        return _load_once(mem, result, sid, problems, record, gate, capped=False), True
    except BaseException:
        _rollback(mem)
        raise
    finally:  # the cap is for this copy only (a rejection is recorded after it)
        with contextlib.suppress(duckdb.Error):
            mem.execute("reset memory_limit")


def _rollback(mem: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):  # DuckDB may have ended the transaction already
        mem.execute("rollback")


def _load_once(mem, result, sid: int, problems: Problems, record, gate, capped: bool) -> int | None:
    """One attempt of :func:`_load` (an out-of-memory error is left to it)."""
    mem.execute("begin transaction")
    _tune_for_insert(mem, capped)
    loaded = 0
    for dataset, frame in result.tables.items():
        cols = ", ".join(frame.columns)
        mem.execute(
            f"insert into {RAW_TABLES[dataset]} (submission_id, {cols}) select {sid}, {cols} from temp.batch_{dataset}"
        )
        loaded += len(frame)
    for dataset in result.batches:
        (n,) = mem.execute(
            f"insert into {RAW_TABLES[dataset]} by name select {sid} as submission_id, * from temp.batch_{dataset}"
        ).fetchone()
        loaded += n if dataset in registry.DATASETS else 0
    # The batch's text stays until the commit (a drop inside the transaction would free nothing, and a
    # retry reads it again). The gate's problems count once, whichever attempt gets this far.
    found = []
    for dataset in result.batches:
        rows = f"{RAW_TABLES[dataset]} where submission_id = {sid}"
        mem.execute(f"create or replace temp view gate_{dataset} as select * from {rows}")
        found.append(gate(dataset, f"temp.gate_{dataset}"))
    for items in found:
        problems.extend(items)
    if problems.errors:
        mem.execute("rollback")
        return None
    record("accepted", _scope(mem, result, sid), loaded)
    mem.execute("commit")
    return loaded


INSERT_HEADROOM_MIB = 192  # at least; a quarter of the batch's size if that is more
HEADROOM_ENV = "TIPDW_INTAKE_HEADROOM_MIB"  # overrides the 192


def _tune_for_insert(mem: duckdb.DuckDBPyConnection, capped: bool = True) -> None:
    """Settings for copying the batch into the warehouse.

    Rows carry their file row in ``row_number``, so storage order is irrelevant: letting DuckDB write
    in any order spares it a 1.5 s checkpoint per million rows on detach. And the memory limit becomes
    what the in-memory batch holds plus a headroom: the batch cannot spill (no temp directory), but
    the warehouse blocks written are on disk and can leave memory, which without a limit they did not
    (a million victims peaked 0.3 GiB higher). The cap holds for the gate of the inserted rows too
    (``_load``): its duplicate screen is a hash per row. Copying streams, so the headroom need not grow
    with the batch; it does, by a quarter, as a margin for the gate (at 5M victims the text holds
    671 MiB: 192 MiB of headroom peaked at 0.95 GiB, 256 at 1.04 GiB; 128 ran out and the retry
    peaked at 1.45 GiB). ``capped=False`` lifts the
    cap (the retry after an out-of-memory error)."""
    mem.execute("set preserve_insertion_order = false")
    if not capped:
        mem.execute("reset memory_limit")
        return
    (used,) = mem.execute("select coalesce(sum(memory_usage_bytes), 0) from duckdb_memory()").fetchone()
    used_mib = used >> 20
    headroom = int(os.environ.get(HEADROOM_ENV) or INSERT_HEADROOM_MIB)
    mem.execute(f"set memory_limit = '{used_mib + max(headroom, used_mib // 4)}MiB'")


def _scope(con: duckdb.DuckDBPyConnection, result, sid: int) -> list[tuple]:
    """(source placeholder, country, year, dataset, rows) for every cell of the batch's scope (the rows
    of case-level batches are read back from the warehouse, inserted but not yet committed)."""
    relations = [(d, f"temp.batch_{d}") for d in result.tables]
    relations += [
        (d, f"{RAW_TABLES[d]} where submission_id = {sid}") for d in result.batches if d in registry.DATASETS
    ]
    out = []
    for dataset, relation in relations:
        for c, y, n in con.execute(
            f"select country_iso3, year, count(*) from {relation} group by all order by all"
        ).fetchall():
            out.append((None, c, int(y), dataset, n))
    return out


def _has_rows(result) -> bool:
    """Whether the batch holds any data row (a header-only file is rejected, not loaded empty)."""
    return any(len(frame) for frame in result.tables.values()) or any(result.batches.values())


def _join(values) -> str:
    return ",".join(sorted(v for v in values if v))
