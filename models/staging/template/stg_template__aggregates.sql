-- tipdw aggregate template rows of current submissions, with codes mapped to the standard.
with current_rows as (
    {{ current_rows(source('raw', 'aggregate_observations'), 'aggregates') }}
        and r.source_format = 'template-aggregates'
),

{{ code_map_cte('template-aggregates') }},

final as (
    select
        r.submission_id,
        r.source,
        r.source_format,
        r.row_number,
        r.country_iso3,
        r.year,
        r.indicator_code,
        ind.standard_code as indicator,
        r.sex_code,
        coalesce(sx.standard_code, 'unknown') as sex,
        r.age_code,
        coalesce(ag.standard_code, 'unknown') as age_group,
        r.form_code,
        coalesce(fm.standard_code, 'unknown') as form_of_exploitation,
        r.citizenship_code,
        coalesce(ct.standard_code, 'unknown') as citizenship,
        r.citizenship_iso3,
        r.unit_code,
        coalesce(un.standard_code, 'persons') as unit,
        r.value,
        r.value_lower,
        r.value_upper,
        r.obs_status,
        r.conf_status,
        r.estimate_type,
        r.is_additive,
        r.note
    from current_rows as r
    {{ join_code('indicator', 'r.indicator_code', 'ind') }}
    {{ join_code('sex', 'r.sex_code', 'sx') }}
    {{ join_code('age_group', 'r.age_code', 'ag') }}
    {{ join_code('form_of_exploitation', 'r.form_code', 'fm') }}
    {{ join_code('citizenship', 'r.citizenship_code', 'ct') }}
    {{ join_code('unit', 'r.unit_code', 'un') }}
)

select * from final
