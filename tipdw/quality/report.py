"""``tipdw report quality``: one self-contained HTML page on the quality of the warehouse or of one
submission, to read offline or to send back to the data provider.

It shows every check with its result (intake suites, published suites, dbt tests including the
consistency checks), the failing rows with ids pseudonymised, a country × year completeness heatmap
and the share of suppressed cells by country. Styles and charts are inline; the page loads nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path

import duckdb

from ingest.suites import SuiteRun, load_suite, run_suite
from tipdw.config import Home
from tipdw.quality import svg
from tipdw.quality.checks import Check, dbt_checks, load_rows, mask
from tipdw.quality.validate import validate_file

INDICATORS = 5  # detected victims, formal contact, prosecuted, convicted, offences
RAW_AGGREGATES = "raw.aggregate_observations"


class ReportError(Exception):
    """The report cannot be made (nothing built yet, unknown submission, warehouse busy)."""


@dataclass
class Report:
    title: str
    scope: list[tuple[str, str]]
    checks: list[Check] = field(default_factory=list)
    completeness: tuple[list[str], list[str], dict] = ([], [], {})
    suppressed: list[tuple[str, float, str]] = field(default_factory=list)
    completeness_note: str = (
        "Share of the five indicators (detected victims, persons in formal contact, prosecuted, convicted, "
        "offences) with a reported total, per country and year. A dash: nothing reported."
    )
    suppressed_note: str = (
        "Share of published cells that are not shown as a number: suppressed for disclosure control "
        "(1 to k−1 persons, and secondary suppression) or confidential at source."
    )
    notes: list[str] = field(default_factory=list)
    synthetic: bool = False


def write_report(home: Home, out: Path, submission_id: int | None = None) -> Path:
    """Gather the checks and charts and write the HTML page to ``out``; return its path."""
    if not home.build_db.exists():
        raise ReportError(f"there is no warehouse in {home.root}; ingest a file or run `tipdw demo` first")
    try:
        con = duckdb.connect(str(home.build_db), read_only=True)
    except duckdb.Error as exc:
        raise ReportError(
            f"the warehouse is busy or unreadable ({str(exc).splitlines()[0]}); try again"
        ) from exc
    try:
        rep = _submission(home, con, submission_id) if submission_id is not None else _warehouse(home, con)
    finally:
        con.close()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(rep), encoding="utf-8")
    return out


# --- gathering -------------------------------------------------------------------------------


def _suite_checks(run: SuiteRun, kind: str, limit: int = 50) -> list[Check]:
    """One Check per expectation of a suite run, failing rows from its sample."""
    out = []
    failing = {id(f.expectation): f for f in run.failures}
    for exp, res in zip(run.suite["expectations"], run.result["results"], strict=True):
        meta = exp.get("meta") or {}
        skipped = res.get("meta", {}).get("skipped")
        f = failing.get(id(exp))
        status = (
            "pass"
            if res["success"]
            else ("fail" if exp.get("severity", "critical") == "critical" else "warn")
        )
        if skipped:
            status = "skipped"
        col = ", ".join(
            [exp["kwargs"][k] for k in ("column", "column_A", "column_B") if k in exp["kwargs"]]
            + list(exp["kwargs"].get("column_list", []))
        )
        c = Check(
            f"{run.suite['name']}: {meta.get('rule')}",
            kind,
            status,
            int(res.get("result", {}).get("unexpected_count") or 0),
            f"{meta.get('message')} ({exp['type']} on {col}). Fix: {meta.get('fix')}"
            + (f" [{skipped}]" if skipped else ""),
        )
        if f is not None:
            c.columns = ["row", "sheet", col or "value", "copies"]
            c.rows = [(s[0], s[1], mask(col, s[2]), s[3]) for s in f.sample[:limit]]
        out.append(c)
    return out


def _dbt_checks(home: Home, con, scope: tuple[list, list] | None = None) -> list[Check]:
    checks = dbt_checks(home)
    for c in checks:
        load_rows(con, c, scope=scope)
    return checks


def _warehouse(home: Home, con) -> Report:
    rep = Report("Quality report: whole warehouse", [("Warehouse", str(home.root))])
    subs = con.execute(
        "select status, count(*) from raw.submissions group by status order by status"
    ).fetchall()
    rep.scope.append(("Submissions", ", ".join(f"{n} {s}" for s, n in subs) or "none"))
    rejected = con.execute(
        "select submission_id, file_name, validation_summary from raw.submissions where status = 'rejected' "
        "order by submission_id"
    ).fetchall()
    if rejected:
        c = Check("intake: rejected submissions", "intake gate", "warn", len(rejected),
                  "Submissions the intake gate rejected; `tipdw report quality --submission ID` shows each "
                  "one's problems.")  # fmt: skip
        c.columns = ["submission_id", "file_name", "problems"]
        c.rows = [(i, f, _summary_text(s)) for i, f, s in rejected]
        rep.checks.append(c)
    if home.published_db.exists():
        for run in validate_file(home.published_db).runs:
            rep.checks.extend(_suite_checks(run, "published suite"))
        rep.completeness, rep.suppressed = _published_charts(home)
    else:
        rep.notes.append("Nothing is published yet: run `tipdw build` to check the published tables.")
    rep.checks.extend(_dbt_checks(home, con))
    rep.synthetic = _is_synthetic(con, "")
    return rep


def _submission(home: Home, con, sid: int) -> Report:
    row = con.execute(
        "select submission_id, file_name, source, format, status, submitter, received_at, rows_read, "
        "rows_loaded, countries, years, datasets, dropped_columns, validation_summary "
        "from raw.submissions where submission_id = ?",
        [sid],
    ).fetchone()
    if row is None:
        raise ReportError(f"there is no submission {sid}; `tipdw submissions` lists them")
    names = ["Submission", "File", "Source", "Format", "Status", "Submitter", "Received", "Rows read",
             "Rows loaded", "Countries", "Years", "Datasets", "Dropped identifying columns"]  # fmt: skip
    rep = Report(f"Quality report: submission {sid} ({row[1]})",
                 [(n, "" if v is None else str(v)) for n, v in zip(names, row[:13], strict=True)])  # fmt: skip
    problems = home.reports / f"submission_{sid}_problems.json"
    if problems.exists():
        rep.checks.extend(_problem_checks(json.loads(problems.read_text(encoding="utf-8"))))
    elif row[4] == "rejected":
        rep.notes.append(
            "The rejection report file is missing; the registry summary is: " + _summary_text(row[13])
        )
    loaded = _loaded_datasets(con, sid)
    for dataset, relation in loaded.items():
        con.execute(f"create or replace temp table sub_{dataset} as select * from {relation} where submission_id = ?",
                    [sid])  # fmt: skip
        suite = load_suite(f"intake.{dataset}")
        if suite is not None:
            run = run_suite(con, suite, f"temp.sub_{dataset}", {"this_year": datetime.now().year})
            rep.checks.extend(_suite_checks(run, "intake suite (re-run on loaded rows)"))
    countries = [c for c in (row[9] or "").split(",") if c]
    years = [int(y) for y in (row[10] or "").split(",") if y]
    if countries and years:
        rep.checks.extend(c for c in _dbt_checks(home, con, (countries, years)) if c.rows)
        rep.notes.append("Consistency checks below are limited to this submission's countries and years.")
    if "aggregates" in loaded:
        rep.completeness, rep.suppressed = _submission_charts(con)
        rep.suppressed_note = "Share of the submitted rows whose value was suppressed at source (e.g. '<5')."
    elif person := next((d for d in ("victims", "suspects") if d in loaded), None):
        rep.completeness = _grid(con.execute(CASE_COMPLETENESS.format(t=f"temp.sub_{person}")).fetchall())
        rep.completeness_note = (
            f"Share of the key fields known (sex, age or age band, citizenship) over the {person} records, "
            "per country and year."
        )
    rep.synthetic = (
        _is_synthetic(con, f"where submission_id = {int(sid)}") if "aggregates" in loaded else False
    )
    return rep


def _problem_checks(report: dict) -> list[Check]:
    """The intake gate's problem report (every problem at once), one Check per rule."""
    by_rule: dict[str, list[dict]] = {}
    for p in report.get("problems", []):
        by_rule.setdefault(p["rule"], []).append(p)
    counts = report.get("summary", {}).get("by_rule", {})
    out = []
    for rule, ps in by_rule.items():
        sev = "fail" if any(p["severity"] == "error" for p in ps) else "warn"
        c = Check(f"intake: {rule}", "intake gate", sev, int(counts.get(rule, len(ps))),
                  f"{ps[0]['message']}. Fix: {ps[0]['fix']}")  # fmt: skip
        c.columns = ["file", "sheet", "row", "column", "value", "message"]
        c.rows = [(p["file"], p["sheet"], p["row"], p["column"], mask(p["column"], p["value"]), p["message"])
                  for p in ps[:50]]  # fmt: skip
        out.append(c)
    return out


def _loaded_datasets(con, sid: int) -> dict[str, str]:
    from ingest.intake import RAW_TABLES

    out = {}
    for dataset, relation in RAW_TABLES.items():
        try:
            n = con.execute(f"select count(*) from {relation} where submission_id = ?", [sid]).fetchone()[0]
        except duckdb.Error:
            continue
        if n:
            out[dataset] = relation
    return out


def _is_synthetic(con, where: str) -> bool:
    try:
        sql = f"select count(*) from {RAW_AGGREGATES} {where} {'and' if where else 'where'} note like 'SYNTHETIC%'"
        return con.execute(sql).fetchone()[0] > 0
    except duckdb.Error:
        return False


def _summary_text(summary: str | None) -> str:
    try:
        s = json.loads(summary or "{}")
    except json.JSONDecodeError:
        return str(summary)
    rules = ", ".join(f"{k}: {v}" for k, v in (s.get("by_rule") or {}).items())
    return f"{s.get('errors', 0)} errors, {s.get('warnings', 0)} warnings" + (f" ({rules})" if rules else "")


def _grid(rows: list[tuple]) -> tuple[list[str], list[str], dict]:
    countries = sorted({r[0] for r in rows})
    years = [str(y) for y in range(min(r[1] for r in rows), max(r[1] for r in rows) + 1)] if rows else []
    return countries, years, {(r[0], str(r[1])): r[2] for r in rows}


def _published_charts(home: Home):
    con = duckdb.connect(str(home.published_db), read_only=True)
    try:
        rows = con.execute(
            f"""
            select country_iso3, year,
                   count(distinct indicator) filter (where value is not null or value_upper is not null)
                   / {INDICATORS}
            from preferred_counts
            where sex = 'total' and age_group = 'total' and form_of_exploitation = 'total'
              and citizenship = 'total' and estimate_type = 'detected'
            group by all
            """
        ).fetchall()
        supp = con.execute(
            "select country_iso3, count(*) filter (where suppression is not null) / count(*), "
            "count(*) filter (where suppression is not null), count(*) from preferred_counts group by all "
            "order by 2 desc, 1"
        ).fetchall()
    finally:
        con.close()
    return _grid(rows), [(c, s, f"({n} of {t} cells)") for c, s, n, t in supp]


def _submission_charts(con):
    rows = con.execute(
        f"""
        select country_iso3, year,
               count(distinct indicator_code) filter (where value is not null or value_upper is not null)
               / {INDICATORS}
        from temp.sub_aggregates
        where coalesce(sex_code, 'total') = 'total' and coalesce(age_code, 'total') = 'total'
          and coalesce(form_code, 'total') = 'total' and coalesce(citizenship_code, 'total') = 'total'
        group by all
        """
    ).fetchall()
    supp = con.execute(
        """
        select country_iso3,
               count(*) filter (where value is null and value_upper is not null) / count(*),
               count(*) filter (where value is null and value_upper is not null), count(*)
        from temp.sub_aggregates group by all order by 2 desc, 1
        """
    ).fetchall()
    return _grid(rows), [(c, s, f"({n} of {t} rows suppressed at source)") for c, s, n, t in supp]


CASE_COMPLETENESS = """
select country_iso3, year,
       (count(sex_code) + count(coalesce(cast(age_years as varchar), age_band_code)) + count(citizenship_iso3))
       / (3.0 * count(*))
from {t} group by all
"""


# --- rendering -------------------------------------------------------------------------------

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1f2937;
background:#fafafa;line-height:1.45}
main{max-width:1180px;margin:0 auto;padding:24px 32px 64px}
h1{font-size:1.6rem;margin:0 0 4px} h2{font-size:1.2rem;margin:32px 0 8px;border-bottom:1px solid #ddd;
padding-bottom:4px} h3{font-size:1rem;margin:18px 0 6px}
.banner{background:#fde68a;color:#78350f;padding:8px 32px;font-weight:600;text-align:center}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;font-size:.9rem;margin:12px 0}
.meta dt{color:#6b7280} .meta dd{margin:0}
.cards{display:flex;gap:12px;margin:16px 0} .card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;
padding:10px 16px;min-width:120px} .card b{display:block;font-size:1.6rem}
.pass b{color:#15803d} .warn b{color:#b45309} .fail b{color:#b91c1c} .skipped b{color:#6b7280}
table{border-collapse:collapse;width:100%;font-size:.85rem;background:#fff;margin:6px 0 12px}
th,td{border:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6} table.checks{table-layout:fixed} td{overflow-wrap:anywhere} td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:4px;padding:0 6px;font-weight:600;font-size:.8rem;color:#fff}
.b-pass{background:#15803d} .b-warn{background:#b45309} .b-fail,.b-error{background:#b91c1c}
.b-skipped{background:#9ca3af}
.chart{background:#fff;border:1px solid #e5e7eb;border-radius:6px;margin:6px 0}
.chart .axis{font-size:11px;fill:#374151} .chart .cell{font-size:10px}
.note{color:#4b5563;font-size:.9rem} details{margin:6px 0} summary{cursor:pointer;font-weight:600}
"""
STATUS_ORDER = {"fail": 0, "error": 0, "warn": 1, "skipped": 2, "pass": 3}


def render(rep: Report) -> str:
    """The report as one HTML document with inline CSS and SVG."""
    counts = {k: 0 for k in ("pass", "warn", "fail", "skipped")}
    for c in rep.checks:
        counts["fail" if c.status == "error" else c.status if c.status in counts else "fail"] += 1
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<meta name='viewport' content='width=device-width'><title>{escape(rep.title)}</title>",
        f"<style>{CSS}</style></head><body>",
    ]
    if rep.synthetic:
        parts.append("<div class='banner'>SYNTHETIC DEMO DATA, not official statistics</div>")
    parts.append(f"<main><h1>{escape(rep.title)}</h1>")
    parts.append(f"<p class='note'>Made by tipdw on {datetime.now():%Y-%m-%d %H:%M}. Person and case ids "
                 "are shown only as the first characters of their pseudonym.</p>")  # fmt: skip
    parts.append("<dl class='meta'>" + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rep.scope)
                 + "</dl>")  # fmt: skip
    parts.append("<div class='cards'>" + "".join(
        f"<div class='card {k}'><b>{n}</b>{label}</div>" for k, n, label in
        (("fail", counts["fail"], "checks failed"), ("warn", counts["warn"], "warnings"),
         ("pass", counts["pass"], "checks passed"), ("skipped", counts["skipped"], "not applicable"))
    ) + "</div>")  # fmt: skip
    for n in rep.notes:
        parts.append(f"<p class='note'>{escape(n)}</p>")
    parts.append(_how_to_read())
    parts.append("<h2>Completeness</h2>")
    countries, years, values = rep.completeness
    if countries:
        parts.append(f"<p class='note'>{escape(rep.completeness_note)}</p>")
        parts.append(svg.heatmap(countries, years, values, "Completeness by country and year"))
    else:
        parts.append("<p class='note'>Nothing to chart.</p>")
    parts.append("<h2>Suppressed cells by country</h2>")
    if rep.suppressed:
        parts.append(f"<p class='note'>{escape(rep.suppressed_note)}</p>")
        parts.append(svg.bars(rep.suppressed, "Share of suppressed cells by country"))
    else:
        parts.append("<p class='note'>Nothing to chart: case-level records are not suppressed at intake; "
                     "disclosure control applies to the published tables built from them.</p>")  # fmt: skip
    parts.append("<h2>Checks</h2>")
    parts.append(_checks_table(rep.checks))
    failing = [c for c in sorted(rep.checks, key=lambda c: STATUS_ORDER.get(c.status, 0)) if c.rows]
    if failing:
        parts.append("<h2>Failing rows</h2>")
        for c in failing:
            parts.append(_rows_table(c))
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _how_to_read() -> str:
    return (
        "<details><summary>How to read this report</summary><p class='note'>Each check has a result: "
        "<span class='badge b-fail'>fail</span> means the rule is broken and must be fixed (an intake "
        "failure rejects the file; a failure on a published table stops publication); "
        "<span class='badge b-warn'>warn</span> means a figure should be confirmed or explained (e.g. "
        "convictions above prosecutions, a jump from one year to the next); <span class='badge b-pass'>pass"
        "</span> means every row satisfies the rule. Failing rows list the file, sheet and row (for a "
        "submission) or the record (for a published table) and the values involved, with how to fix "
        "them. Send this page back to the data provider with the corrected file requested.</p></details>"
    )


def _checks_table(checks: list[Check]) -> str:
    ordered = sorted(checks, key=lambda c: (STATUS_ORDER.get(c.status, 0), c.kind, c.name))
    open_ = [c for c in ordered if c.status not in ("pass", "skipped")]
    closed = [c for c in ordered if c.status in ("pass", "skipped")]
    out = _table(open_) if open_ else "<p class='note'>Every check passed.</p>"
    if closed:
        out += f"<details><summary>{len(closed)} checks passed or not applicable</summary>{_table(closed)}</details>"
    return out


def _table(checks: list[Check]) -> str:
    rows = [
        f"<tr><td><span class='badge b-{escape(c.status)}'>{escape(c.status)}</span></td>"
        f"<td>{escape(c.kind)}</td><td class='name'>{escape(c.name)}</td><td class='num'>{c.failures}</td>"
        f"<td>{escape(c.description)}</td></tr>"
        for c in checks
    ]
    return ("<table class='checks'><colgroup><col style='width:70px'><col style='width:130px'>"
            "<col style='width:300px'><col style='width:70px'><col></colgroup><thead><tr><th>result</th>"
            "<th>kind</th><th>check</th><th>failing rows</th><th>what it checks</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")  # fmt: skip


def _rows_table(c: Check) -> str:
    columns, rows = c.columns, c.rows
    if "failure" in columns:  # consistency checks: the sentence with the record and its figures says it all
        i = columns.index("failure")
        columns, rows = ["record and figures"], [(r[i],) for r in rows]
    head = "".join(f"<th>{escape(str(h))}</th>" for h in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{'' if v is None else escape(str(v))}</td>" for v in r) + "</tr>" for r in rows
    )
    more = f" (first {len(c.rows)} of {c.failures})" if c.failures > len(c.rows) else ""
    return (f"<h3><span class='badge b-{escape(c.status)}'>{escape(c.status)}</span> {escape(c.name)}{more}</h3>"
            f"<p class='note'>{escape(c.description)}</p><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")  # fmt: skip
