"""tipdw case-level templates: victims, suspects/offenders and cases (CSV or XLSX), read in DuckDB SQL.

One row per victim, per suspect, or per case. Direct identifiers are dropped on reading
(``ingest.privacy``); person and case ids become HMAC-SHA256 pseudonyms in SQL; a date of birth only
yields the age at identification. A victim's forms of exploitation ("sexual_exploitation|forced_labour")
are kept as distinct codes in one column (``form_codes``); the multi-valued fields of cases become rows
of ``raw.case_list_values``. ``tipdw template victims|suspects|cases`` writes blank templates.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from ingest.privacy import hmac_sql
from ingest.problems import Problem, Problems
from ingest.readers.base import Context, ReadResult, header_score
from ingest.readers.sqlsource import (
    Field,
    Source,
    SqlChecks,
    col,
    drop_source,
    load_source,
    resolve_country_values,
    sql_problems,
)

SOURCE = "national_casework"
TRUE_WORDS = ("yes", "y", "true", "1", "si", "sí", "oui", "x")
FALSE_WORDS = ("no", "n", "false", "0", "non")
MISSING_WORDS = ("-99", "unknown", "n/a", "na_unknown", "not known", "-")

COUNTRY = Field("country", "country that identified the person or registered the case: ISO3, ISO2, M49 or name "
                "(may be left out with --country)", "KEN", ("country_iso3", "reporting_country"))  # fmt: skip
PERSON_ID = Field("person_id", "the person's id in your system; stored only as a keyed pseudonym", "V-0001",
                  ("victim_id", "suspect_id", "offender_id", "id_person"), required=True)  # fmt: skip
CASE_ID = Field("case_id", "the case's id in your system; stored only as a keyed pseudonym", "C-0001",
                ("id_case", "case_identifier"))  # fmt: skip
SEX = Field("sex", "female, male, other or unknown", "female", ("gender",))
AGE = Field("age", "age in whole years at identification (or at the stage, for suspects)", "16",
            ("age_years", "age_at_identification"))  # fmt: skip
AGE_BAND = Field("age_band", "age band when the exact age is unknown, e.g. 15-17 or 18-24", "15-17",
                 ("age_group", "age_range"))  # fmt: skip
CITIZENSHIP = Field("citizenship", "country of citizenship: ISO3, ISO2, M49 or name; blank if unknown", "UGA",
                    ("nationality", "citizenship_iso3"))  # fmt: skip

VICTIM_FIELDS = [
    COUNTRY, PERSON_ID, CASE_ID, SEX, AGE, AGE_BAND,
    Field("date_of_birth", "used only to compute the age at identification, then dropped (never stored)",
          "2008-03-14", ("dob", "birth_date"), transient=True),
    CITIZENSHIP,
    Field("forms_of_exploitation", "one or more of sexual_exploitation, forced_labour, forced_criminal_activity, "
          "begging, forced_marriage, organ_removal, other, unknown; several separated by |",
          "sexual_exploitation|forced_labour", ("form_of_exploitation", "forms", "exploitation")),
    Field("year_identified", "calendar year the person was identified as a victim", "2024", ("year",)),
    Field("date_identified", "date of identification, YYYY-MM-DD (gives the year if year_identified is blank)",
          "2024-05-02", ("identification_date",)),
    Field("identifying_agency", "agency that identified the victim (police, labour inspection, NGO, ...)",
          "police", ("agency",)),
]  # fmt: skip
SUSPECT_FIELDS = [
    COUNTRY, PERSON_ID, CASE_ID, SEX, AGE, AGE_BAND, CITIZENSHIP,
    Field("role", "recruiter, transporter, exploiter, organiser, other or unknown", "recruiter", ("function",)),
    Field("stage", "formal_contact (suspected, arrested, investigated or cautioned), prosecuted or convicted",
          "prosecuted", ("criminal_justice_stage", "status"), required=True),
    Field("year", "calendar year the person reached the stage", "2024", ("year_of_stage",), required=True),
]  # fmt: skip
CASE_FIELDS = [
    COUNTRY, Field(CASE_ID.name, CASE_ID.description, CASE_ID.example, CASE_ID.aliases, required=True),
    Field("year", "calendar year the case was registered", "2024", ("year_registered",)),
    Field("stage", "investigated, prosecuted or convicted: the furthest stage the case reached", "prosecuted",
          ("criminal_justice_stage", "status")),
    Field("date_registered", "date the case was registered, YYYY-MM-DD (gives the year if year is blank)",
          "2024-02-11", ("registration_date", "date_opened")),
    Field("date_stage", "date the case reached its stage, YYYY-MM-DD", "2024-09-30", ("stage_date",)),
    Field("recruitment_method", "e.g. job_offer, intimate_partner, family, abduction, online, other, unknown",
          "job_offer", ("recruitment",)),
    Field("recruitment_agency_involved", "yes, no or blank (unknown)", "yes", ("recruitment_agency",)),
    Field("recruitment_fees_charged", "yes, no or blank (unknown)", "yes", ("recruitment_fees", "fees_charged")),
    Field("fraudulent_job_offer", "yes, no or blank (unknown)", "no", ("fraudulent_job", "deceptive_job_offer")),
    Field("means_of_control", "one or more of debt_bondage, withholding_documents, withholding_wages, threats, "
          "physical_violence, sexual_violence, psychological_abuse, restricted_movement, substances, "
          "false_promises, other; several separated by |", "debt_bondage|withholding_documents", ("control",)),
    Field("transnational", "transnational (crossed a border) or domestic", "transnational",
          ("transnational_or_domestic", "scope")),
    Field("origin_countries", "countries of origin, separated by |", "UGA", ("origin_country", "origin")),
    Field("transit_countries", "countries of transit, separated by |", "", ("transit_country", "transit")),
    Field("destination_countries", "countries of destination, separated by |", "SAU",
          ("destination_country", "destination")),
]  # fmt: skip


def one_of_sql(text_sql: str, words: tuple[str, ...]) -> str:
    """SQL true when the text is one of ``words`` (false when not, or NULL).

    A simple CASE, not ``in (...)``: DuckDB plans a constant IN list inside a large projection as a
    join per column, which made parsing a million rows a second slower."""
    return f"(case {text_sql} " + " ".join(f"when '{w}' then true" for w in words) + " else false end)"


def bool_sql(text_sql: str) -> str:
    return (
        f"case when {one_of_sql(f'lower({text_sql})', TRUE_WORDS)} then true "
        f"when {one_of_sql(f'lower({text_sql})', FALSE_WORDS)} then false end"
    )


def split_sql(text_sql: str) -> str:
    """SQL splitting a multi-valued text on |, ; or , into a list."""
    return f"string_split(replace(replace({text_sql}, ';', '|'), ',', '|'), '|')"


LIST_SEPARATORS = "|;,"
LIST_MISSING = ("", "-99", "unknown")  # values left out of a multi-valued field


def codes_sql(text_sql: str) -> str:
    """SQL of a multi-valued text as its distinct codes, lower case, sorted and joined by | (NULL
    when none is left).

    A single value (most rows) takes a path of its own, without a list. Written as a coalesce of
    the two paths, each fed NULL for the other's rows: DuckDB evaluated the list functions of a
    CASE branch on every row, which made this three times slower (0.9 s per million rows)."""
    has_separator = "(" + " or ".join(f"contains({text_sql}, '{c}')" for c in LIST_SEPARATORS) + ")"
    several = f"(case when {has_separator} then {text_sql} end)"
    one = f"(case when {has_separator} then null else {text_sql} end)"
    missing = ", ".join(f"'{w}'" for w in LIST_MISSING)
    codes = (
        f"nullif(array_to_string(list_sort(list_distinct(list_filter(list_transform({split_sql(several)}, "
        f"lambda s: lower(trim(s))), lambda v: v not in ({missing})))), '|'), '')"
    )
    single = f"lower(trim({one}))"
    for word in LIST_MISSING:
        single = f"nullif({single}, '{word}')"
    return f"coalesce({codes}, {single})"


def missing_sql(text_sql: str) -> str:
    """NULL for blank and the usual missing markers (-99, unknown)."""
    return f"case when {one_of_sql(f'lower(trim({text_sql}))', MISSING_WORDS)} then null else nullif(trim({text_sql}), '') end"


def date_sql(text_sql: str) -> str:
    return (
        f"case when length({text_sql}) <= 10 then try_cast({text_sql} as date) "
        f"else try_cast(try_cast({text_sql} as timestamp) as date) end"
    )


class CaseReader:
    """Shared steps of the case-level readers; subclasses give the fields and the SQL of their dataset."""

    name = ""
    description = ""
    source = SOURCE
    dataset = ""
    fields: list[Field] = []
    case_level = True
    id_blank_sql = "id_text is null"  # over ``parsed``

    def score(self, headers: list[str]) -> float:
        from ingest.privacy import normalise_header

        norm = [normalise_header(h) for h in headers]
        req = {normalise_header(f.name) for f in self.fields if f.required}
        opt = {normalise_header(f.name) for f in self.fields if not f.required}
        return header_score(norm, req, opt)

    def read(self, path: Path, ctx: Context) -> ReadResult:
        con: duckdb.DuckDBPyConnection = ctx.con
        src = load_source(con, path, self.fields, ctx.sheet)
        problems = src.problems
        if src.ignored:
            problems.add(
                Problem(
                    "header.ignored",
                    f"these columns are not part of the {self.dataset} layout and were not loaded: "
                    + ", ".join(src.ignored),
                    f"rename a column to a template column if it should be loaded (`tipdw template {self.dataset}`)",
                    file=src.file,
                    sheet=src.sheet,
                    row=src.header_row,
                    severity="warning",
                )
            )
        dropped = [f"{h} ({reason})" for h, reason in src.dropped.items()]
        if problems.errors:
            return ReadResult({}, problems, src.rows, dropped_columns=dropped)
        self.country(con, src, ctx, problems)
        ctx.pseudonym_key.bind(con)
        # The submitted text, ids and any date of birth included, stays in the intake's in-memory
        # database (no spilling to disk), closed after the file; readers that build a table of parsed
        # rows drop it earlier. Only pseudonyms reach the batch views.
        batches = self.transform(con, src, ctx, problems)
        return ReadResult({}, problems, src.rows, dropped_columns=dropped, batches=batches)

    def country(self, con: duckdb.DuckDBPyConnection, src: Source, ctx: Context, problems: Problems) -> None:
        """Set ``country_from`` (``src s`` with the country map joined) and ``country_iso3`` (the SQL of
        each row's ISO3) from the country column, or the --country option for every row."""
        if src.has("country"):
            resolve_country_values(con, col(src, "country"), "src", "country_map", src, "country", problems)
            self.country_from = f"src s left join country_map m on m.value = {col(src, 'country')}"
            self.country_iso3 = "m.iso3"
            if ctx.country:
                con.execute(
                    f"create or replace temp view row_country as select s.row_number, m.iso3 from {self.country_from}"
                )
                sql_problems(con, src, problems, f"iso3 <> '{ctx.country}'", "country", "iso3",
                             "country.matches_option", "the row is for another country than --country",
                             "split the file per country, or drop --country", table="row_country")  # fmt: skip
            return
        self.country_from = "src s"
        self.country_iso3 = f"'{ctx.country}'" if ctx.country else "null::varchar"
        if not ctx.country:
            problems.add(
                Problem("country.missing", "the file has no country column and --country was not given",
                        "add a 'country' column or pass --country ISO3", file=src.file, sheet=src.sheet,
                        row=src.header_row, column="country")
            )  # fmt: skip

    def person_columns(self, con, src: Source, problems: Problems) -> str:
        """SQL select-list of the person fields shared by victims and suspects (over ``src``)."""
        resolve_country_values(con, missing_sql(col(src, "citizenship")), "src", "citizenship_map", src,
                               "citizenship", problems)  # fmt: skip
        return f"""
            {missing_sql(col(src, "sex"))} as sex_code,
            {missing_sql(col(src, "age"))} as age_text,
            {missing_sql(col(src, "age_band"))} as age_band_code,
            {missing_sql(col(src, "citizenship"))} as citizenship_code
        """

    def transform(self, con, src: Source, ctx: Context, problems: Problems) -> dict[str, int | None]:
        raise NotImplementedError

    # --- shared checks (over ``parsed``, added to a SqlChecks) ---------------------------------------
    def check_common(self, checks: SqlChecks, id_field: str, year_field: str = "year") -> None:
        this_year = dt.date.today().year
        checks.add(self.id_blank_sql, id_field, "null", "id.blank", f"the {id_field} is blank",
                   f"give every row its {id_field} (it is stored only as a keyed pseudonym)")  # fmt: skip
        checks.add(f"year is null or year < 1950 or year > {this_year}", year_field, "year_text",
                   "year.invalid", f"the year must be a whole number from 1950 to {this_year}",
                   "write the calendar year (or a date it can be taken from), e.g. 2023")  # fmt: skip

    def check_age(self, checks: SqlChecks) -> None:
        checks.add("age_text is not null and (try_cast(age_text as integer) is null "
                   "or try_cast(age_text as integer) not between 0 and 120)", "age", "age_text", "age.invalid",
                   "the age must be a whole number of years from 0 to 120",
                   "write the age in years, or leave it blank and give age_band")  # fmt: skip

    def load_lists(self, con, dataset: str, specs: list[tuple[str, str, bool]]) -> None:
        """Create temp view ``batch_case_list_values`` over ``parsed``'s multi-valued text columns:
        (column, attribute, is_country). A view: the values are computed once, as they are loaded
        (``None`` as the batch's row count means "counted when loaded")."""
        selects = []
        for column, attribute, is_country in specs:
            join = "left join list_country_map m on m.value = v.value_code" if is_country else ""
            iso = "m.iso3" if is_country else "cast(null as varchar)"
            selects.append(
                f"""
                select '{dataset}' as dataset, v.country_iso3, v.year, v.record_pseudonym,
                       '{attribute}' as attribute, v.value_code, {iso} as value_iso3
                from (
                    select country_iso3, year, pseudonym as record_pseudonym,
                           unnest(list_distinct(list_transform({split_sql(column)}, lambda s: lower(trim(s)))))
                               as value_code
                    from parsed where {column} is not null
                ) v {join}
                where v.value_code <> '' and v.value_code not in ('-99', 'unknown')
                """
            )
        con.execute("create or replace temp view batch_case_list_values as " + " union all ".join(selects))


def _pseudonym(id_sql: str, country_sql: str = "country_iso3") -> str:
    """SQL of the keyed pseudonym of an id: HMAC-SHA256 of ``ISO3:id`` (NULL for a blank id)."""
    return f"case when {id_sql} is not null then {hmac_sql(f'{country_sql} || {chr(39)}:{chr(39)} || {id_sql}')} end"


DISTINCT_HASHING_SHARE = 0.5  # hash distinct case ids when there are at most this many per row


def case_pseudonyms(con, from_sql: str, country_sql: str, id_sql: str, alias: str) -> tuple[str, str]:
    """SQL of each row's case pseudonym, for a query whose relation ``alias`` has ``country_iso3`` and
    ``case_text``, and the join clause that SQL needs ("" if none).

    Several victims may share a case. When (country, case id) pairs repeat enough (DuckDB's approximate
    distinct count over ``from_sql`` at most ``DISTINCT_HASHING_SHARE`` of its rows), each distinct id
    is hashed once into temp table ``case_ids`` and joined back; otherwise every row is hashed. The
    group-by and join cost as much as the hashes they save: at a million rows, a third distinct saved
    about 0.9 CPU-seconds; 86% distinct cost 1 CPU-second and 0.1 GiB more than hashing every row."""
    distinct, rows = con.execute(
        f"select approx_count_distinct(hash({country_sql}, {id_sql})), count(*) from {from_sql}"
    ).fetchone()
    if distinct > rows * DISTINCT_HASHING_SHARE:
        return _pseudonym(f"{alias}.case_text", f"{alias}.country_iso3"), ""
    con.execute(
        "create or replace temp table case_ids as select country_iso3, id_text, "
        f"{_pseudonym('id_text')} as pseudonym from (select distinct {country_sql} as country_iso3, "
        f"{id_sql} as id_text from {from_sql}) where id_text is not null",
    )
    join = (
        f"left join case_ids ci on ci.country_iso3 = {alias}.country_iso3 and ci.id_text = {alias}.case_text"
    )
    return "ci.pseudonym", join


class TemplateVictims(CaseReader):
    id_blank_sql = "id_blank"
    name = "template-victims"
    description = "tipdw case-level victims template (CSV or XLSX, one row per victim)"
    dataset = "victims"
    fields = VICTIM_FIELDS

    def transform(self, con, src, ctx, problems):
        person = self.person_columns(con, src, problems)
        case_sql, case_join = case_pseudonyms(
            con, self.country_from, self.country_iso3, col(src, "case_id"), "d"
        )
        # A view over src: the checks below count what they need of it in one scan, and the rows are
        # parsed and pseudonymised once, as the batch is copied into the warehouse. As a table, the
        # parsed rows (1.4 GiB at 5M victims, their two hex pseudonyms half of it) sat in memory beside
        # the file's text. The date of birth reaches the batch only as the age.
        con.execute(
            f"""
            create temp view parsed as
            with t as (
                select s.row_number, {self.country_iso3} as country_iso3, {col(src, "person_id")} as id_text,
                       {col(src, "case_id")} as case_text, {person},
                       {date_sql(col(src, "date_of_birth"))} as dob, {col(src, "date_of_birth")} as dob_text,
                       {date_sql(col(src, "date_identified"))} as date_identified,
                       {col(src, "date_identified")} as date_text,
                       {col(src, "year_identified")} as year_text,
                       {missing_sql(col(src, "forms_of_exploitation"))} as forms_text,
                       {col(src, "identifying_agency")} as identifying_agency
                from {self.country_from}
            ),
            dated as (
                select t.*, coalesce(try_cast(year_text as integer), year(date_identified)) as year from t
            )
            select d.row_number, d.country_iso3, d.year, d.year_text, d.id_text is null as id_blank,
                   {_pseudonym("d.id_text", "d.country_iso3")} as pseudonym, {case_sql} as case_pseudonym,
                   d.sex_code, d.age_text, d.age_band_code, d.citizenship_code, cm.iso3 as citizenship_iso3,
                   coalesce(try_cast(d.age_text as integer),
                            date_sub('year', d.dob, coalesce(d.date_identified, make_date(d.year, 7, 1)))) as age_years,
                   d.dob_text is not null and d.dob is null as dob_invalid,
                   d.dob > coalesce(d.date_identified, make_date(d.year, 12, 31)) as dob_after_identification,
                   d.date_identified, d.date_text, d.forms_text, d.identifying_agency
            from dated d left join citizenship_map cm on cm.value = d.citizenship_code {case_join}
            """,
        )
        checks = SqlChecks(con, src, problems, "parsed")
        self.check_common(checks, "person_id", "year_identified")
        self.check_age(checks)
        fix_date = "write dates as YYYY-MM-DD"
        checks.add("date_text is not null and date_identified is null", "date_identified",
                   "date_text", "date.invalid", "the date is not a date", fix_date)  # fmt: skip
        # The date of birth is never echoed into a report: it is an identifier.
        checks.add("dob_invalid", "date_of_birth", "null",
                   "date.invalid", "the date of birth is not a date", fix_date)  # fmt: skip
        checks.add("dob_after_identification", "date_of_birth",
                   "null", "date.order", "the date of birth is after the identification",
                   "check both dates")  # fmt: skip
        checks.add("year_text is not null and date_identified is not null "
                   "and try_cast(year_text as integer) <> year(date_identified)", "year_identified", "year_text",
                   "year.date_mismatch", "year_identified differs from the year of date_identified",
                   "the year of identification is used; correct whichever is wrong",
                   severity="warning")  # fmt: skip
        checks.run()
        if problems.errors:
            return {}
        con.execute(
            f"""
            create temp view batch_victims as
            select '{self.name}' as source_format, row_number, country_iso3, year,
                   pseudonym as person_pseudonym, case_pseudonym, sex_code, age_years::integer as age_years,
                   age_band_code, citizenship_code, citizenship_iso3, date_identified, identifying_agency,
                   {codes_sql("forms_text")} as form_codes
            from parsed
            """
        )
        # One victim per row of src (the maps joined are unique on their keys).
        return {"victims": con.execute("select count(*) from src").fetchone()[0]}


class TemplateSuspects(CaseReader):
    name = "template-suspects"
    description = "tipdw case-level suspects/offenders template (CSV or XLSX, one row per person and stage)"
    dataset = "suspects"
    fields = SUSPECT_FIELDS

    def transform(self, con, src, ctx, problems):
        person = self.person_columns(con, src, problems)
        # Views over src, as for victims: the rows are parsed and pseudonymised as they are copied.
        con.execute(
            f"""
            create temp view parsed as
            select s.row_number, {self.country_iso3} as country_iso3, {col(src, "person_id")} as id_text,
                   {col(src, "case_id")} as case_text, {person},
                   {col(src, "year")} as year_text, try_cast({col(src, "year")} as integer) as year,
                   lower({missing_sql(col(src, "role"))}) as role_code,
                   lower({col(src, "stage")}) as stage_code
            from {self.country_from}
            """
        )
        checks = SqlChecks(con, src, problems, "parsed")
        self.check_common(checks, "person_id")
        self.check_age(checks)
        checks.add("stage_code is null", "stage", "stage_code", "stage.blank",
                   "the stage is blank", "write formal_contact, prosecuted or convicted")  # fmt: skip
        checks.run()
        if problems.errors:
            return {}
        case_sql, case_join = case_pseudonyms(con, "parsed", "country_iso3", "case_text", "p")
        con.execute(
            f"""
            create temp view batch_suspects as
            select '{self.name}' as source_format, p.row_number, p.country_iso3, p.year,
                   {_pseudonym("p.id_text", "p.country_iso3")} as person_pseudonym, {case_sql} as case_pseudonym,
                   p.sex_code, try_cast(p.age_text as integer) as age_years, p.age_band_code, p.citizenship_code,
                   cm.iso3 as citizenship_iso3, p.role_code, p.stage_code
            from parsed p left join citizenship_map cm on cm.value = p.citizenship_code {case_join}
            """,
        )
        return {"suspects": con.execute("select count(*) from src").fetchone()[0]}


class TemplateCases(CaseReader):
    name = "template-cases"
    description = "tipdw case-level cases template with modus operandi (CSV or XLSX, one row per case)"
    dataset = "cases"
    fields = CASE_FIELDS
    flags = ("recruitment_agency_involved", "recruitment_fees_charged", "fraudulent_job_offer")

    def transform(self, con, src, ctx, problems):
        flag_cols = ", ".join(f"{missing_sql(col(src, f))} as {f}_text" for f in self.flags)
        con.execute(
            f"""
            create temp table parsed as
            with t as (
                select s.row_number, {self.country_iso3} as country_iso3, {col(src, "case_id")} as id_text,
                       {col(src, "year")} as year_text, lower({missing_sql(col(src, "stage"))}) as stage_code,
                       {date_sql(col(src, "date_registered"))} as date_registered,
                       {col(src, "date_registered")} as date_registered_text,
                       {date_sql(col(src, "date_stage"))} as date_stage, {col(src, "date_stage")} as date_stage_text,
                       lower({missing_sql(col(src, "recruitment_method"))}) as recruitment_method_code,
                       {flag_cols},
                       lower({missing_sql(col(src, "transnational"))}) as transnational_code,
                       {missing_sql(col(src, "means_of_control"))} as means_text,
                       {missing_sql(col(src, "origin_countries"))} as origin_text,
                       {missing_sql(col(src, "transit_countries"))} as transit_text,
                       {missing_sql(col(src, "destination_countries"))} as destination_text
                from {self.country_from}
            )
            select t.*, coalesce(try_cast(year_text as integer), year(date_registered)) as year from t
            """
        )
        drop_source(con)  # checks and batches read parsed
        checks = SqlChecks(con, src, problems, "parsed")
        self.check_common(checks, "case_id")
        for d in ("date_registered", "date_stage"):
            checks.add(f"{d}_text is not null and {d} is null", d, f"{d}_text",
                       "date.invalid", "the date is not a date", "write dates as YYYY-MM-DD")  # fmt: skip
        words = ", ".join(f"'{w}'" for w in (*TRUE_WORDS, *FALSE_WORDS))
        for f in self.flags:
            checks.add(f"{f}_text is not null and lower({f}_text) not in ({words})", f,
                       f"{f}_text", "flag.invalid", "the answer must be yes or no",
                       "write yes or no, or leave it blank if unknown")  # fmt: skip
        checks.add("transnational_code not in ('transnational', 'domestic')", "transnational",
                   "transnational_code", "code.invalid", "transnational must be 'transnational' or 'domestic'",
                   "write transnational (crossed a border) or domestic, or leave it blank")  # fmt: skip
        checks.run()
        # Every country named in the route lists, resolved once per distinct text.
        con.execute(
            f"""
            create or replace temp view route_values as
            select row_number, lower(trim(unnest({split_sql("v")}))) as v
            from (select row_number, origin_text as v from parsed union all
                  select row_number, transit_text from parsed union all
                  select row_number, destination_text from parsed) where v is not null
            """
        )
        resolve_country_values(con, "nullif(v, '')", "route_values", "list_country_map", src,
                               "origin/transit/destination_countries", problems)  # fmt: skip
        if problems.errors:
            return {}
        con.execute(
            f"create or replace temp table parsed as select *, {_pseudonym('id_text')} as pseudonym from parsed"
        )
        bools = ", ".join(f"{bool_sql(f + '_text')} as {f}" for f in self.flags)
        con.execute(
            f"""
            create temp table batch_cases as
            select '{self.name}' as source_format, row_number, country_iso3, year, pseudonym as case_pseudonym,
                   stage_code, date_registered, date_stage, recruitment_method_code, {bools}, transnational_code
            from parsed
            """
        )
        self.load_lists(con, "cases", [
            ("means_text", "means_of_control", False), ("origin_text", "origin_country", True),
            ("transit_text", "transit_country", True), ("destination_text", "destination_country", True),
        ])  # fmt: skip
        return {
            "cases": con.execute("select count(*) from batch_cases").fetchone()[0],
            "case_list_values": None,
        }
