-- Forms of exploitation of case-level victims of current submissions: one row per victim and form
-- (a victim may have several), with the form mapped to the standard. Intake keeps a victim's forms
-- in raw.case_victims.form_codes (distinct codes joined by |); submissions loaded before that
-- column have them as rows of raw.case_list_values.
with victims as (
    {{ current_rows(source('raw', 'case_victims'), 'victims') }}
        and r.form_codes is not null
),

listed as (
    {{ current_rows(source('raw', 'case_list_values'), 'victims') }}
        and r.dataset = 'victims'
        and r.attribute = 'form_of_exploitation'
),

forms as (
    select
        submission_id,
        source,
        country_iso3,
        year,
        person_pseudonym,
        {{ split_to_rows('form_codes', "'|'") }} as value_code
    from victims
    union all
    select
        submission_id,
        source,
        country_iso3,
        year,
        record_pseudonym as person_pseudonym,
        value_code
    from listed
),

{{ code_map_cte('casework') }},

final as (
    select
        r.submission_id,
        r.source,
        r.country_iso3,
        r.year,
        r.person_pseudonym,
        r.value_code as form_code,
        coalesce(fm.standard_code, 'unknown') as form_of_exploitation
    from forms as r
    {{ join_code('form_of_exploitation', 'r.value_code', 'fm') }}
)

select * from final
