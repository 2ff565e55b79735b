"""The submission registry and the raw schema.

Every intake attempt is a row of ``raw.submissions``. Each accepted submission also records its
scope in ``raw.submission_scopes``: one row per source x country x year x dataset it covers. Which
submission is *current* for a scope is never stored; it is derived (in dbt, model
``stg_registry__current_scopes``) as the newest accepted, not withdrawn submission for that scope.
So a newer submission supersedes an older one without deleting it, a withdrawal reinstates what it
had superseded, and the warehouse can be reproduced as of any date.

Every raw data row carries its ``submission_id`` (the load id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb

RAW_DDL = """
create schema if not exists raw;
create sequence if not exists raw.submission_id_seq start 1;
create table if not exists raw.submissions (
    submission_id      integer primary key,
    received_at        timestamp not null,
    decided_at         timestamp,
    submitter          varchar,
    source             varchar not null,
    format             varchar not null,
    file_name          varchar not null,
    sha256             varchar not null,
    status             varchar not null,   -- accepted | rejected | withdrawn
    withdrawn_at       timestamp,
    rows_read          bigint,
    rows_loaded        bigint,
    countries          varchar,
    years              varchar,
    datasets           varchar,
    dropped_columns    varchar,
    validation_summary varchar,            -- JSON
    metadata           varchar             -- JSON: definition of victim, counting unit, coverage...
);
create table if not exists raw.submission_scopes (
    submission_id  integer not null,
    source         varchar not null,
    country_iso3   varchar not null,
    year           integer not null,
    dataset        varchar not null,
    action         varchar not null,       -- replace | append | delete
    row_count      bigint not null,
    accepted_at    timestamp not null,
    withdrawn_at   timestamp
);
create table if not exists raw.aggregate_observations (
    submission_id        integer not null,
    source_format        varchar not null,
    row_number           integer not null,  -- line (or sheet row) in the submitted file
    sheet                varchar,
    country_iso3         varchar not null,
    year                 integer not null,
    indicator_code       varchar not null,  -- codes as submitted; mapped in staging
    sex_code             varchar,
    age_code             varchar,
    form_code            varchar,
    citizenship_code     varchar,
    citizenship_iso3     varchar,
    unit_code            varchar,
    value                double,            -- null: blank or suppressed at source
    value_lower          double,
    value_upper          double,
    value_text           varchar,           -- the cell exactly as submitted
    obs_status           varchar,           -- flags kept as a set: comma-separated, sorted
    conf_status          varchar,
    estimate_type        varchar not null,  -- detected | estimated
    is_additive          boolean,           -- does the source declare that parts add up to totals?
    note                 varchar
);
create table if not exists raw.population (
    submission_id   integer not null,
    source_format   varchar not null,
    row_number      integer not null,
    country_iso3    varchar not null,
    year            integer not null,
    sex_code        varchar not null,
    age_code        varchar not null,
    population      double not null
);
-- Case-level records (datasets victims, suspects, cases). Direct identifiers never arrive here:
-- ids are HMAC-SHA256 pseudonyms (ingest/privacy.py); codes are kept as submitted.
create table if not exists raw.case_victims (
    submission_id        integer not null,
    source_format        varchar not null,
    row_number           bigint not null,
    country_iso3         varchar not null,
    year                 integer not null,   -- year of identification
    person_pseudonym     varchar not null,
    case_pseudonym       varchar,
    sex_code             varchar,
    age_years            integer,           -- age at identification (from age, or date of birth)
    age_band_code        varchar,           -- band as submitted when the exact age is unknown
    citizenship_code     varchar,           -- as submitted
    citizenship_iso3     varchar,
    date_identified      date,
    identifying_agency   varchar,
    form_codes           varchar            -- forms of exploitation as submitted: distinct, lower case, joined by |
);
create table if not exists raw.case_suspects (
    submission_id        integer not null,
    source_format        varchar not null,
    row_number           bigint not null,
    country_iso3         varchar not null,
    year                 integer not null,   -- year the person reached the stage
    person_pseudonym     varchar not null,
    case_pseudonym       varchar,
    sex_code             varchar,
    age_years            integer,
    age_band_code        varchar,
    citizenship_code     varchar,
    citizenship_iso3     varchar,
    role_code            varchar,
    stage_code           varchar not null    -- formal_contact | prosecuted | convicted (as submitted)
);
create table if not exists raw.case_cases (
    submission_id                 integer not null,
    source_format                 varchar not null,
    row_number                    bigint not null,
    country_iso3                  varchar not null,
    year                          integer not null,   -- year the case was registered
    case_pseudonym                varchar not null,
    stage_code                    varchar,            -- investigated | prosecuted | convicted
    date_registered               date,
    date_stage                    date,               -- when the case reached its stage
    recruitment_method_code       varchar,
    recruitment_agency_involved   boolean,            -- null: unknown
    recruitment_fees_charged      boolean,
    fraudulent_job_offer          boolean,
    transnational_code            varchar             -- transnational | domestic (as submitted)
);
-- Multi-valued fields of case-level records, one row per value (portable: no list columns):
-- means_of_control and origin/transit/destination_country (cases). A victim's forms of exploitation
-- are raw.case_victims.form_codes.
create table if not exists raw.case_list_values (
    submission_id        integer not null,
    dataset              varchar not null,  -- victims | cases: the record's dataset
    country_iso3         varchar not null,
    year                 integer not null,
    record_pseudonym     varchar not null,  -- person_pseudonym (victims) or case_pseudonym (cases)
    attribute            varchar not null,
    value_code           varchar not null,  -- as submitted
    value_iso3           varchar            -- for country attributes
);
"""

DATASETS = ("aggregates", "population", "victims", "suspects", "cases")


# Warehouses made before raw.case_victims.form_codes kept each form of a victim as a row of
# raw.case_list_values (dataset victims, attribute form_of_exploitation, codes lower case and
# trimmed): moved into the column once, in one transaction, when the column is added.
FORM_CODES_MIGRATION = """
begin transaction;
alter table raw.case_victims add column form_codes varchar;
update raw.case_victims as v set form_codes = f.codes
from (
    select submission_id, country_iso3, year, record_pseudonym,
           string_agg(distinct lower(trim(value_code)), '|' order by lower(trim(value_code))) as codes
    from raw.case_list_values
    where dataset = 'victims' and attribute = 'form_of_exploitation'
      and lower(trim(value_code)) not in ('', '-99', 'unknown')
    group by all
) as f
where v.submission_id = f.submission_id and v.country_iso3 = f.country_iso3 and v.year = f.year
  and v.person_pseudonym = f.record_pseudonym;
delete from raw.case_list_values where dataset = 'victims' and attribute = 'form_of_exploitation';
commit;
"""


def ensure_schema(con: duckdb.DuckDBPyConnection, db: str | None = None) -> None:
    """Create the raw schema and registry tables if they do not exist (idempotent), and bring a
    warehouse made by an earlier version to this layout (``FORM_CODES_MIGRATION``)."""
    if db:
        con.execute(f"use {db}")
    (old_victims,) = con.execute(
        "select count(*) > 0 and count(*) filter (where column_name = 'form_codes') = 0 from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'raw' and table_name = 'case_victims'"
    ).fetchone()
    if old_victims:
        con.execute(FORM_CODES_MIGRATION)
    con.execute(RAW_DDL)


@dataclass
class Submission:
    submission_id: int
    status: str
    received_at: datetime
    file_name: str
    source: str
    format: str
    sha256: str
    rows_loaded: int | None


def find_loaded(con: duckdb.DuckDBPyConnection, sha256: str, source: str) -> int | None:
    """The id of an accepted (not withdrawn) submission of the same file from the same source."""
    row = con.execute(
        "select submission_id from raw.submissions "
        "where sha256 = ? and source = ? and status = 'accepted' order by submission_id limit 1",
        [sha256, source],
    ).fetchone()
    return row[0] if row else None


def next_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select nextval('raw.submission_id_seq')").fetchone()[0]


def list_submissions(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every submission with its derived state (accepted, superseded, partly superseded, ...)."""
    rel = con.execute(
        """
        with latest as (
            select source, country_iso3, year, dataset, max(submission_id) as current_id
            from raw.submission_scopes
            where withdrawn_at is null and action <> 'append'
            group by all
        ),
        scope_state as (
            select s.submission_id,
                   count(*) as scopes,
                   count(*) filter (where l.current_id > s.submission_id and s.action <> 'append')
                       as superseded_scopes,
                   min(l.current_id) filter (where l.current_id > s.submission_id) as superseded_by
            from raw.submission_scopes s
            left join latest l using (source, country_iso3, year, dataset)
            group by s.submission_id
        )
        select r.submission_id, r.received_at, r.submitter, r.source, r.format, r.file_name,
               r.sha256, r.rows_read, r.rows_loaded, r.countries, r.years, r.datasets,
               case
                   when r.status <> 'accepted' then r.status
                   when ss.scopes > 0 and ss.superseded_scopes = ss.scopes then 'superseded'
                   when ss.superseded_scopes > 0 then 'partly superseded'
                   else 'accepted'
               end as status,
               ss.superseded_by, r.withdrawn_at, r.dropped_columns, r.validation_summary
        from raw.submissions r
        left join scope_state ss using (submission_id)
        order by r.submission_id
        """
    )
    cols = [d[0] for d in rel.description]
    return [dict(zip(cols, row, strict=True)) for row in rel.fetchall()]


def withdraw(con: duckdb.DuckDBPyConnection, submission_id: int, when: datetime) -> list[int]:
    """Withdraw an accepted submission. Returns the submissions it had superseded, now reinstated."""
    row = con.execute(
        "select status from raw.submissions where submission_id = ?", [submission_id]
    ).fetchone()
    if row is None:
        raise LookupError(f"no submission {submission_id}; `tipdw submissions` lists them")
    if row[0] != "accepted":
        raise ValueError(
            f"submission {submission_id} is {row[0]}; only accepted submissions can be withdrawn"
        )
    reinstated = [
        r[0]
        for r in con.execute(
            """
            select distinct prev.submission_id
            from raw.submission_scopes cur
            join raw.submission_scopes prev using (source, country_iso3, year, dataset)
            where cur.submission_id = ? and prev.submission_id < cur.submission_id
              and prev.withdrawn_at is null
              and not exists (
                  select 1 from raw.submission_scopes mid
                  where mid.source = cur.source and mid.country_iso3 = cur.country_iso3
                    and mid.year = cur.year and mid.dataset = cur.dataset
                    and mid.withdrawn_at is null and mid.action <> 'append'
                    and mid.submission_id > prev.submission_id and mid.submission_id <> cur.submission_id)
            order by 1
            """,
            [submission_id],
        ).fetchall()
    ]
    con.execute("begin transaction")
    con.execute(
        "update raw.submissions set status = 'withdrawn', withdrawn_at = ? where submission_id = ?",
        [when, submission_id],
    )
    con.execute(
        "update raw.submission_scopes set withdrawn_at = ? where submission_id = ?", [when, submission_id]
    )
    con.execute("commit")
    return reinstated


def summary_json(obj: object) -> str:
    return json.dumps(obj, default=str, sort_keys=True)
