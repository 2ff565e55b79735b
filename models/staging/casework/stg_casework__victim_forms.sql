-- Forms of exploitation of case-level victims of current submissions: one row per victim and form
-- (a victim may have several), with the form mapped to the standard. Intake keeps a victim's forms
-- in raw.case_victims.form_codes: distinct codes, lower case and trimmed, joined by |.
with victims as (
    {{ current_rows(source('raw', 'case_victims'), 'victims') }}
        and r.form_codes is not null
),

forms as (
    select
        submission_id,
        source,
        country_iso3,
        year,
        person_pseudonym,
        {{ split_to_rows('form_codes', "'|'") }} as form_code
    from victims
),

{{ code_map_cte('casework') }},

final as (
    select
        r.submission_id,
        r.source,
        r.country_iso3,
        r.year,
        r.person_pseudonym,
        r.form_code,
        coalesce(fm.standard_code, 'unknown') as form_of_exploitation
    from forms as r
    -- the codes are lookup keys already (computing the key for each of 5M victims' forms doubled
    -- the time of this view)
    {{ join_code('form_of_exploitation', 'r.form_code', 'fm', keyed=true) }}
)

select * from final
