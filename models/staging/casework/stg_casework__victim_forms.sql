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

forms_of_victims as (
    select
        submission_id,
        source,
        country_iso3,
        year,
        person_pseudonym,
        {{ split_to_rows('form_codes', "'|'") }} as value_code
    from victims
),

-- intake writes form_codes lower case and trimmed: they are lookup keys already (computing the
-- key for each of 5M victims doubled the time of this view)
keyed as (
    select
        submission_id,
        source,
        country_iso3,
        year,
        person_pseudonym,
        value_code,
        value_code as code_key
    from forms_of_victims
    union all
    select
        submission_id,
        source,
        country_iso3,
        year,
        record_pseudonym as person_pseudonym,
        value_code,
        {{ code_key('value_code') }} as code_key
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
    from keyed as r
    {{ join_code('form_of_exploitation', 'r.code_key', 'fm', keyed=true) }}
)

select * from final
