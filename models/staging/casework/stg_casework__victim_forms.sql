-- Forms of exploitation of case-level victims of current submissions: one row per victim and form
-- (a victim may have several), with the form mapped to the standard.
with current_rows as (
    {{ current_rows(source('raw', 'case_list_values'), 'victims') }}
        and r.dataset = 'victims'
        and r.attribute = 'form_of_exploitation'
),

{{ code_map_cte('casework') }},

final as (
    select
        r.submission_id,
        r.source,
        r.country_iso3,
        r.year,
        r.record_pseudonym as person_pseudonym,
        r.value_code as form_code,
        coalesce(fm.standard_code, 'unknown') as form_of_exploitation
    from current_rows as r
    {{ join_code('form_of_exploitation', 'r.value_code', 'fm') }}
)

select * from final
