"""IOM CTDC victim-level data (domain.md §5d): one row per registered victim, read in DuckDB SQL.

Two layouts: the k-anonymised release (semicolon-delimited, ISO2 country codes, quoted multi-value
``...Concatenated`` fields) and the synthetic release (comma-delimited, ISO3). ``-99`` or blank is
missing. ``ageBroad`` bands (0--8, 9--17, 18--20, ..., 48+) map to child/adult through the seed
``age_bands``; ``majorityStatus`` (Minor/Adult) stands in when the band is missing. Forms come from
the 0/1 flags; ``isSexAndLabour`` gives both sexual exploitation and forced labour. The country is
``CountryOfExploitation``; rows without one cannot be placed and are left out with a warning.
CTDC rows carry no person id, so each victim's pseudonym is keyed on the file and its row.
"""

from __future__ import annotations

from ingest.problems import Problem
from ingest.readers.casework import CaseReader, _pseudonym, codes_sql, missing_sql
from ingest.readers.sqlsource import Field, SqlChecks, col, drop_source, resolve_country_values, sql_problems

FORM_FLAGS = {
    "isSexualExploit": ["sexual_exploitation"],
    "isForcedLabour": ["forced_labour"],
    "isSexAndLabour": ["sexual_exploitation", "forced_labour"],
    "isForcedMarriage": ["forced_marriage"],
    "isOrganRemoval": ["organ_removal"],
    "isForcedMilitary": ["other"],
    "isSlaveryAndPractices": ["other"],
    "isOtherExploit": ["other"],
}
CTDC_FIELDS = [
    Field("yearOfRegistration", "year the victim was registered", "2019", required=True),
    Field("Datasource", "Case Management or Hotline", "Case Management"),
    Field("gender", "Female, Male or Transgender/NonConforming", "Female", required=True),
    Field("ageBroad", "age band (0--8, 9--17, 18--20, ..., 48+)", "9--17", required=True),
    Field("majorityStatus", "Adult or Minor", "Minor"),
    Field("citizenship", "ISO2 (k-anonymised release) or ISO3 (synthetic release)", "UA", required=True),
    Field("CountryOfExploitation", "ISO2 or ISO3 country where the victim was exploited", "PL"),
    *(Field(flag, "1 if the victim was subjected to this form, 0 if not", "0") for flag in FORM_FLAGS),
]


class Ctdc(CaseReader):
    name = "ctdc"
    description = "IOM CTDC victim-level data (k-anonymised ';' with ISO2, or synthetic ',' with ISO3)"
    source = "ctdc"
    dataset = "victims"
    fields = CTDC_FIELDS

    def country(self, con, src, ctx, problems) -> None:
        country = missing_sql(col(src, "CountryOfExploitation"))
        resolve_country_values(con, country, "src", "country_map", src, "CountryOfExploitation", problems)
        self.country_from = f"src s left join country_map m on m.value = {country}"
        self.country_iso3 = f"coalesce(m.iso3, case when {country} is null then '{ctx.country or ''}' end)"
        con.execute(f"create or replace temp view row_country as select s.row_number, {self.country_iso3} as iso3 "
                    f"from {self.country_from}")  # fmt: skip
        if ctx.country:
            sql_problems(con, src, problems, f"iso3 <> '{ctx.country}'", "CountryOfExploitation", "iso3",
                         "country.matches_option", "the row is for another country than --country",
                         "split the file per country, or drop --country", table="row_country")  # fmt: skip

    def transform(self, con, src, ctx, problems):
        resolve_country_values(con, missing_sql(col(src, "citizenship")), "src", "citizenship_map", src,
                               "citizenship", problems)  # fmt: skip
        flags = ", ".join(f"{missing_sql(col(src, f))} as {f}" for f in FORM_FLAGS)
        file_key = (ctx.file_digest or "")[:16]
        con.execute(
            f"""
            create temp table parsed as
            select s.row_number, nullif({self.country_iso3}, '') as country_iso3,
                   'ctdc:{file_key}:' || s.row_number as id_text,
                   {missing_sql(col(src, "yearOfRegistration"))} as year_text,
                   try_cast({missing_sql(col(src, "yearOfRegistration"))} as integer) as year,
                   {missing_sql(col(src, "gender"))} as sex_code,
                   coalesce({missing_sql(col(src, "ageBroad"))}, {missing_sql(col(src, "majorityStatus"))})
                       as age_band_code,
                   {missing_sql(col(src, "citizenship"))} as citizenship_code,
                   {missing_sql(col(src, "Datasource"))} as identifying_agency,
                   {flags}
            from {self.country_from}
            """
        )
        drop_source(con)  # checks and batches read parsed
        checks = SqlChecks(con, src, problems, "parsed")
        self.check_common(checks, "yearOfRegistration", "yearOfRegistration")
        bad_flag = " or ".join(f"{f} not in ('0', '1')" for f in FORM_FLAGS)
        checks.add(bad_flag, "is...", "concat_ws(',', " + ", ".join(FORM_FLAGS) + ")",
                   "flag.invalid", "a form-of-exploitation flag is not 0 or 1",
                   "CTDC flags are 1 (yes), 0 (no), or -99/blank (unknown)")  # fmt: skip
        checks.run()
        unplaced = con.execute(
            "select count(*), min(row_number) from parsed where country_iso3 is null"
        ).fetchone()
        if unplaced[0]:
            problems.add(
                Problem("country.missing", f"{unplaced[0]} rows have no CountryOfExploitation and were left out",
                        "pass --country if the whole file is about one country", file=src.file,
                        row=int(unplaced[1]), column="CountryOfExploitation", severity="warning")
            )  # fmt: skip
        if problems.errors:
            return {}
        forms = " || ".join(
            f"case when {flag} = '1' then '{'|'.join(codes)}|' else '' end"
            for flag, codes in FORM_FLAGS.items()
        )
        con.execute(
            f"""
            create or replace temp table parsed as
            select p.*, {_pseudonym("id_text")} as pseudonym, cm.iso3 as citizenship_iso3,
                   nullif(rtrim({forms}, '|'), '') as forms_text
            from parsed p left join citizenship_map cm on cm.value = p.citizenship_code
            where p.country_iso3 is not null
            """,
        )
        con.execute(
            f"""
            create temp table batch_victims as
            select '{self.name}' as source_format, row_number, country_iso3, year, pseudonym as person_pseudonym,
                   null::varchar as case_pseudonym, sex_code, null::integer as age_years, age_band_code,
                   citizenship_code, citizenship_iso3, null::date as date_identified, identifying_agency,
                   {codes_sql("forms_text")} as form_codes
            from parsed
            """
        )
        return {"victims": con.execute("select count(*) from batch_victims").fetchone()[0]}
