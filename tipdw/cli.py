"""The ``tipdw`` command line. Each command is a thin shell over a module that does the work."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from tipdw.config import Home
from tipdw.lock import EXIT_BUSY, WarehouseBusy

FORMAT_OPTION = click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
    help="Output format.",
)  # fmt: skip
AS_OF_OPTION = click.option(
    "--as-of", default=None, metavar="DATE",
    help="Use the publication as it was at DATE (YYYY-MM-DD = end of that day, or an ISO timestamp).",
)  # fmt: skip
WAIT_OPTION = click.option(
    "--wait", type=float, default=0.0, show_default=True,
    help="Seconds to wait for another writer (ingest or build) to finish before giving up.",
)  # fmt: skip


def _home() -> Home:
    return Home.from_env().ensure()


def _moment(as_of: str):
    from tipdw.asof import parse_moment

    try:
        return parse_moment(as_of)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from None


def _as_of_db(as_of: str | None) -> Path | None:
    """The as-of publication for --as-of (built first if needed), or None for the current one."""
    if not as_of:
        return None
    from tipdw.asof import published_as_of

    try:
        return published_as_of(_home(), _moment(as_of), echo=lambda m: click.echo(m, err=True))
    except WarehouseBusy as exc:
        click.echo(f"tipdw: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    except (RuntimeError, FileNotFoundError) as exc:
        click.echo(f"tipdw: could not build the publication as of {as_of}: {exc}", err=True)
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="tipdw")
def main() -> None:
    """tipdw: an open data warehouse for trafficking-in-persons statistics.

    The warehouse lives in $TIPDW_HOME (default ./warehouse).

    \b
    Example:
      tipdw demo
      tipdw ingest submissions/ken_2024.csv --country KEN --submitter "KNBS"
      tipdw build
      tipdw sql "select * from regional_aggregates limit 5"
    """


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    default="auto",
    show_default=True,
    help="Submission format; 'auto' detects it from the headers. See `tipdw formats`.",
)
@click.option("--country", help="ISO3 code of the country the file is about (checked against its rows).")
@click.option("--submitter", help="Who sent the file (agency or person), recorded in the registry.")
@click.option("--source", help="Source label for precedence (default: the format's own, e.g. national).")
@click.option("--sheet", help="Workbook sheet to read (default: the first sheet with the expected header).")
@click.option(
    "--mapping",
    type=click.Path(path_type=Path),
    help="Mapping file (YAML) for a national layout; same as --format mapping:PATH.yml.",
)
@click.option(
    "--decimal",
    type=click.Choice([".", ","]),
    default=".",
    show_default=True,
    help="Decimal separator of numbers in the file.",
)
@WAIT_OPTION
def ingest(path, fmt, country, submitter, source, sheet, mapping, decimal, wait):  # noqa: PLR0913
    """Load one submission file: read, validate, register and load it in one transaction.

    Exit 0 when the submission is accepted (or was already loaded), 1 when it is rejected: the
    report lists every problem with its file, row, column, value and fix.

    \b
    Example:
      tipdw ingest victims_2024.xlsx --country KEN --submitter "National Crime Research Centre"
      tipdw ingest victimas_2023.xlsx --mapping ingest/mappings/es_national_example.yml
    """
    import duckdb

    from ingest.intake import ingest_file

    fmt = f"mapping:{mapping}" if mapping else fmt
    try:
        out = ingest_file(path, _home(), fmt, country, submitter, source, sheet, decimal, wait)
    except WarehouseBusy as exc:
        click.echo(f"tipdw ingest: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    except (duckdb.IOException, duckdb.TransactionException, duckdb.FatalException, OSError) as exc:
        # Disk full or a write error: the transaction was rolled back, so nothing was loaded.
        click.echo(
            f"tipdw ingest: {path}: the warehouse could not be written ({type(exc).__name__}: {exc}); "
            "nothing was loaded. Free disk space (or fix the I/O error) and ingest the file again.",
            err=True,
        )
        sys.exit(1)
    from tipdw.runlog import log_ingest

    log_ingest(_home(), out)
    if out.status == "duplicate":
        click.echo(f"{out.file}: already loaded as submission {out.submission_id}; nothing changed.")
        return
    if out.status == "refused":
        for p in out.problems.items:
            click.echo(p.line(), err=True)
        click.echo(f"{out.file}: REFUSED: nothing was read or recorded.", err=True)
        sys.exit(1)
    for p in out.problems.items:
        click.echo(p.line(), err=p.severity == "error")
    if out.status == "accepted":
        click.echo(
            f"{out.file}: accepted as submission {out.submission_id} ({out.format}): "
            f"{out.rows_loaded} rows loaded, {len(out.problems.warnings)} warnings."
        )
        if out.dropped_columns:
            click.echo(f"Dropped identifying columns: {', '.join(out.dropped_columns)}")
    else:
        sid = f" (recorded as submission {out.submission_id})" if out.submission_id else ""
        click.echo(
            f"{out.file}: REJECTED{sid}: {len(out.problems.errors)} errors, nothing was loaded.", err=True
        )
        if out.report:
            click.echo(f"Report: {', '.join(str(p) for p in out.report)}", err=True)
        sys.exit(1)


@main.command()
@WAIT_OPTION
@AS_OF_OPTION
@click.option(
    "--full",
    is_flag=True,
    help="Rebuild every table from the raw tables and run every test, even if "
    "little changed (the seeds and views of an unchanged project are kept: they would be the same).",
)
@click.option(
    "--reload",
    is_flag=True,
    help="A --full build that also reloads the seeds and re-creates the "
    "views (after editing the build database by hand).",
)
def build(wait, as_of, full, reload):
    """Run dbt (seed, run, test), validate, and publish $TIPDW_HOME/published.duckdb.

    Incremental: after a first build, only the models downstream of the datasets that submissions
    accepted or withdrawn since the last build touched run, with their tests; nothing new, no dbt
    at all. A changed model, seed, setting or env var (TIPDW_MIN_CELL...) means a full build, as
    does --full. The summary line says which kind ran.

    The new publication is written to a new file and swapped into place; if anything fails, the
    previous publication stays. Exit codes: 0 ok, 1 dbt failed, 2 validation failed, 75 busy.

    \b
    Example:
      tipdw build --wait 600   # in cron: wait up to 10 minutes for a running ingest
      tipdw build --full       # rebuild every table (e.g. after restoring the build database)
      tipdw build --reload     # and reload the seeds and views too (after editing it by hand)
      tipdw build --as-of 2025-06-30   # into $TIPDW_HOME/as-of/2025-06-30/, current publication untouched
    """
    from tipdw import dbt

    try:
        if as_of:
            from tipdw.asof import build_as_of

            out = build_as_of(_home(), _moment(as_of), wait)
        else:
            # dbt's child starts first: it imports dbt (about 3 s) while tipdw imports the rest
            home = _home()
            with dbt.started(home) as child:
                from tipdw.build import build as run_build

                out = run_build(home, wait, full, reload, child)
    except WarehouseBusy as exc:
        from tipdw.runlog import write_run_log

        write_run_log(_home(), "build", [f"tipdw build BUSY (exit {EXIT_BUSY}): {exc}"])
        click.echo(f"tipdw build: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    for f in out.failures:
        click.echo(f"FAIL {f}", err=True)
    for w in out.warnings:
        click.echo(f"WARN {w}")
    click.echo(out.summary)
    sys.exit(out.exit_code)


@main.command()
@click.argument("query")
@FORMAT_OPTION
@AS_OF_OPTION
def sql(query, fmt, as_of):
    """Run a read-only SQL query on the published database.

    \b
    Example:
      tipdw sql "select region, year, value from regional_aggregates
                 where region_type = 'unodc_region' and sex = 'total' limit 10" --format csv
      tipdw sql "select * from preferred_counts where country_iso3 = 'KEN'" --as-of 2025-06-30

    Only reads: a query that writes, attaches, COPYs, reads files (read_csv, glob...), installs
    or loads extensions, or changes settings is refused (exit 1).
    """
    from tipdw.output import render
    from tipdw.sqlaccess import SqlRefused
    from tipdw.sqlaccess import query as run_query

    db = _as_of_db(as_of)
    try:
        cols, rows = run_query(_home(), query, db)
    except (SqlRefused, FileNotFoundError) as exc:
        click.echo(f"tipdw sql: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # a researcher's SQL error: show DuckDB's message, not a traceback
        click.echo(f"tipdw sql: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)
    if cols:
        click.echo(render(cols, rows, fmt))


@main.command()
@FORMAT_OPTION
def submissions(fmt):
    """List every submission with its status (accepted, superseded, rejected, withdrawn).

    \b
    Example:
      tipdw submissions --format json
    """
    rows = _registry_rows()
    cols = ["submission_id", "received_at", "source", "format", "file_name", "status", "rows_loaded",
            "countries", "years", "superseded_by"]  # fmt: skip
    from tipdw.output import render

    if fmt == "json":
        click.echo(json.dumps(rows, default=str, indent=2))
    else:
        click.echo(render(cols, [tuple(r[c] for c in cols) for r in rows], fmt))


@main.command()
@click.argument("submission_id", type=int)
def submission(submission_id):
    """Show one submission with its validation report.

    \b
    Example:
      tipdw submission 3
    """
    rows = [r for r in _registry_rows() if r["submission_id"] == submission_id]
    if not rows:
        click.echo(
            f"tipdw submission: no submission {submission_id}; `tipdw submissions` lists them", err=True
        )
        sys.exit(1)
    for k, v in rows[0].items():
        click.echo(f"{k:20} {'' if v is None else v}")
    report = _home().reports / f"submission_{submission_id}_problems.csv"
    if report.exists():
        click.echo(f"\nReport ({report}):")
        click.echo(report.read_text(encoding="utf-8"))


@main.command()
@click.argument("submission_id", type=int)
@WAIT_OPTION
def withdraw(submission_id, wait):
    """Withdraw a submission and reinstate what it had superseded. Takes effect at the next build.

    \b
    Example:
      tipdw withdraw 7 && tipdw build
    """
    import duckdb

    from ingest import registry
    from tipdw.lock import writer_lock

    home = _home()
    try:
        with writer_lock(home.lock, timeout=wait, what="withdraw"):
            con = duckdb.connect(str(home.build_db))
            try:
                registry.ensure_schema(con)
                reinstated = registry.withdraw(con, submission_id, datetime.now())
            finally:
                con.close()
    except WarehouseBusy as exc:
        click.echo(f"tipdw withdraw: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    except (LookupError, ValueError) as exc:
        click.echo(f"tipdw withdraw: {exc}", err=True)
        sys.exit(1)
    again = f"; reinstated {', '.join(map(str, reinstated))}" if reinstated else ""
    click.echo(f"Withdrew submission {submission_id}{again}. Run `tipdw build` to publish the change.")


def _registry_rows() -> list[dict]:
    import duckdb

    from ingest import registry

    home = _home()
    if not home.build_db.exists():
        return []
    con = duckdb.connect(str(home.build_db), read_only=True)
    try:
        try:
            return registry.list_submissions(con)
        except duckdb.CatalogException:
            return []
    finally:
        con.close()


@main.command()
def formats():
    """List the submission formats that `tipdw ingest --format` accepts.

    \b
    Example:
      tipdw formats
    """
    from ingest.readers import READERS

    for r in READERS:
        click.echo(f"{r.name:24} {r.description} (source: {r.source})")


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Key file to write (default: $TIPDW_PSEUDONYM_KEY_FILE or ~/.config/tipdw/pseudonym.key).",
)
@click.option("--force", is_flag=True, help="Replace an existing key (old pseudonyms will no longer link).")
def keygen(out, force):
    """Make the secret key that turns person and case ids into pseudonyms (HMAC-SHA256).

    Case-level intake refuses to run without it. The key file must be outside $TIPDW_HOME; keep a
    copy somewhere safe: the same key is needed to link re-submissions to earlier pseudonyms.

    \b
    Example:
      tipdw keygen
      TIPDW_PSEUDONYM_KEY_FILE=/secure/tipdw.key tipdw keygen
    """
    from ingest.privacy import KeyMissing
    from ingest.privacy import keygen as make_key

    try:
        path = make_key(out, Home.from_env().root, force)
    except (KeyMissing, FileExistsError) as exc:
        click.echo(f"tipdw keygen: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Wrote a new pseudonym key to {path} (mode 0600). It is never stored in the warehouse.")


@main.command()
@click.argument("kind")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="File to write (.csv or .xlsx).")
def template(kind, out):
    """Write a blank template of KIND (e.g. victims, suspects, cases) to fill in and `tipdw ingest`.

    An .xlsx template carries a comment on every column and a `dictionary` sheet.

    \b
    Example:
      tipdw template victims --out victims_2024.xlsx
    """
    from ingest.templates import TEMPLATES, write_template

    if kind not in TEMPLATES:
        click.echo(
            f"tipdw template: there is no template {kind!r}; use one of: {', '.join(TEMPLATES)}", err=True
        )
        sys.exit(1)
    click.echo(f"Wrote {write_template(kind, out)} ({TEMPLATES[kind].description}).")


@main.group()
def reference():
    """Code lists and crosswalks (seeds).

    \b
    Example:
      tipdw reference refresh
    """


@reference.command("refresh")
@click.option(
    "--seeds", type=click.Path(path_type=Path), default=None, help="Seeds folder (default: the project's)."
)
def reference_refresh(seeds):
    """Regenerate the country seeds from the offline UN M49 taxonomy (hdx-python-country).

    \b
    Example:
      tipdw reference refresh && git diff seeds/
    """
    from tipdw.config import PROJECT_DIR
    from tipdw.reference import refresh

    for name, n in refresh(seeds or PROJECT_DIR / "seeds").items():
        click.echo(f"wrote {name}: {n} rows")


@main.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the synthetic files (default: $TIPDW_HOME/demo-input).",
)
def demo(out_dir):
    """Run the whole pipeline on SYNTHETIC DEMO DATA (not official statistics).

    Writes synthetic submissions for 12 countries, ingests them like a statistician would,
    builds, publishes and prints a regional table. Running it twice changes nothing.

    \b
    Example:
      TIPDW_HOME=/tmp/tipdw-demo tipdw demo
    """
    from tipdw.demo import run_demo

    sys.exit(run_demo(_home(), out_dir, click.echo))


@main.command()
def validate():
    """Run the expectation suites (expectations/published.*.json) on the published tables.

    Every rule checks every row. Prints one line per suite and each failing rule with example
    rows; writes the Great Expectations results to $TIPDW_HOME/reports/validation/. Exit 0 when
    every critical expectation holds (warnings are listed), 2 when one fails, 1 if nothing is
    published yet.

    \b
    Example:
      tipdw validate
    """
    from tipdw.build import EXIT_VALIDATION
    from tipdw.quality.validate import validate_home

    try:
        checked = validate_home(_home())
    except FileNotFoundError as exc:
        click.echo(f"tipdw validate: {exc}", err=True)
        sys.exit(1)
    for line in checked.lines():
        click.echo(line)
    n = sum(len(r.errors) for r in checked.runs)
    click.echo(f"validation {'OK' if checked.ok else f'FAILED: {n} failing expectations'}")
    sys.exit(0 if checked.ok else EXIT_VALIDATION)


@main.group()
def report():
    """Reports: self-contained offline HTML pages with charts (quality, regional).

    \b
    Example:
      tipdw report quality --out quality.html
      tipdw report regional --out regional.html
    """


@report.command("quality")
@click.option("--submission", "submission_id", type=int, default=None,
              help="Report on one submission (default: the whole warehouse).")  # fmt: skip
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The HTML file to write.")
def report_quality(submission_id, out):
    """Write the quality report: every check with its result, failing rows and charts.

    One HTML file with inline styles and charts (no network needed), to read or to send back to
    the data provider. With --submission, only that submission: its intake checks, its rows'
    consistency checks and its completeness.

    \b
    Example:
      tipdw report quality --submission 3 --out ken-2024-quality.html
    """
    from tipdw.quality.report import ReportError, write_report

    try:
        path = write_report(_home(), out, submission_id)
    except ReportError as exc:
        click.echo(f"tipdw report quality: {exc}", err=True)
        sys.exit(1)
    click.echo(f"wrote {path}")


@main.command()
@FORMAT_OPTION
def shell(fmt):
    """An interactive, read-only SQL prompt on the published database (same guards as `tipdw sql`).

    Statements end with ';' and may span lines. Dot commands: .tables, .schema TABLE, .help, .quit.
    Input may be piped; exit 1 if any statement failed or was refused.

    \b
    Example:
      tipdw shell
      echo "select count(*) from regional_aggregates;" | tipdw shell --format csv
    """
    from tipdw.shell import run_shell
    from tipdw.sqlaccess import connect_published

    try:
        con = connect_published(_home())
    except FileNotFoundError as exc:
        click.echo(f"tipdw shell: {exc}", err=True)
        sys.exit(1)
    try:
        code = run_shell(con, sys.stdin, click.echo, lambda m: click.echo(m, err=True),
                         interactive=sys.stdin.isatty(), fmt=fmt)  # fmt: skip
    finally:
        con.close()
    sys.exit(code)


@main.command()
@click.argument("name", required=False)
@FORMAT_OPTION
@click.option("--list", "list_", is_flag=True, help="List the analyses with their questions.")
@click.option("--sql", "show_sql", is_flag=True, help="Print the compiled SQL instead of running it.")
def analysis(name, fmt, list_, show_sql):
    """Run a researcher's analysis from analyses/ on the published database (read-only).

    dbt compiles the analysis (cached under $TIPDW_HOME/analyses-target); its question, caveats and
    an example output are in analyses/_analyses.yml.

    \b
    Example:
      tipdw analysis --list
      tipdw analysis victims_by_region_over_time --format csv
    """
    from tipdw import analyses
    from tipdw.output import render
    from tipdw.sqlaccess import SqlRefused

    if list_ or not name:
        for a in analyses.catalog().values():
            click.echo(f"{a.name}\n  {a.question}\n  tables: {', '.join(a.tables)}\n  caveats: {a.caveats}\n")
        return
    try:
        if show_sql:
            click.echo(analyses.compiled_sql(_home(), name))
            return
        cols, rows = analyses.run(_home(), name)
    except (analyses.AnalysisError, SqlRefused, FileNotFoundError) as exc:
        click.echo(f"tipdw analysis: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # DuckDB's message, not a traceback
        click.echo(f"tipdw analysis: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)
    click.echo(render(cols, rows, fmt))


@main.command()
@click.option("--country", help="Only this country (ISO3).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only revisions accepted on or after DATE.")
@FORMAT_OPTION
def revisions(country, since, fmt):
    """List published cells that changed between consecutive accepted versions of the same scope.

    Shows the old and new value (after disclosure control), both submissions and when each was
    accepted. Reads the published table `revisions`; run `tipdw build` after a resubmission.

    \b
    Example:
      tipdw revisions --country KEN --since 2025-01-01
    """
    from tipdw.output import render
    from tipdw.revisions import list_revisions

    try:
        cols, rows = list_revisions(_home(), country, since.date() if since else None)
    except FileNotFoundError as exc:
        click.echo(f"tipdw revisions: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # e.g. a publication built before the revisions table existed
        click.echo(f"tipdw revisions: {type(exc).__name__}: {exc}; run `tipdw build`", err=True)
        sys.exit(1)
    click.echo(render(cols, rows, fmt))
    if fmt == "table":
        click.echo(f"({len(rows)} revised cells)")


# `tipdw report regional` is a subcommand of the `report` group defined above (one group for all reports).
@report.command("regional")
@click.option(
    "--year", type=int, default=None, help="Year of the profile, forms and flows (default: latest)."
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="HTML file to write.")
def report_regional(year, out):
    """Regional report: trends, victim profile, forms of exploitation and flows, per UNODC region.

    Every figure states its coverage and caveat; one HTML file with inline SVG, nothing loaded
    from the internet.

    \b
    Example:
      tipdw report regional --year 2023 --out regional-2023.html
    """
    from tipdw.reports.regional import write_regional_report

    try:
        path = write_regional_report(_home(), out, year)
    except (FileNotFoundError, ValueError) as exc:
        click.echo(f"tipdw report regional: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Wrote {path}")


@main.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Directory to write.")
@WAIT_OPTION
def docs(out_dir, wait):
    """Offline dbt documentation of every model, column and source (one static index.html).

    Runs `dbt docs generate --static` against the build database (under the writer lock); the
    page loads nothing from the internet.

    \b
    Example:
      tipdw docs --out site/ && xdg-open site/index.html
    """
    from tipdw.docs import generate_docs

    try:
        path = generate_docs(_home(), out_dir, wait)
    except WarehouseBusy as exc:
        click.echo(f"tipdw docs: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    except RuntimeError as exc:
        click.echo(f"tipdw docs: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Wrote {path}")


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "parquet", "sdmx-csv"]), default="csv", show_default=True,
    help="csv (formula-safe text), parquet (typed), or sdmx-csv (SDMX-CSV 2.0 with OBS_STATUS, CONF_STATUS).",
)  # fmt: skip
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Directory to write.")
def export(fmt, out_dir):
    """Write every published table (protected marts, code lists, documentation) to a directory.

    CSV text cells that begin with =, +, -, @ get a leading apostrophe so spreadsheets do not run
    them as formulas; numeric columns are written as numbers.

    \b
    Example:
      tipdw export --format sdmx-csv --out export/sdmx
      tipdw export --format parquet --out export/parquet
    """
    from tipdw.export import ExportError
    from tipdw.export import export as run_export

    try:
        res = run_export(_home(), fmt, out_dir)
    except ExportError as exc:
        click.echo(f"tipdw export: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Wrote {len(res.files)} {fmt} files to {res.out_dir}")
    if res.skipped:
        click.echo(f"Not in SDMX-CSV (no measure): {', '.join(res.skipped)}", err=True)


if __name__ == "__main__":
    main()
