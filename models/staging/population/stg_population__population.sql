-- Population rows of current submissions (any population format), codes mapped to the standard.
with current_rows as (
    {{ current_rows(source('raw', 'population'), 'population') }}
),

{{ code_map_cte('population') }},

final as (
    select
        r.submission_id,
        r.source,
        r.source_format,
        r.row_number,
        r.country_iso3,
        r.year,
        r.sex_code,
        coalesce(sx.standard_code, 'unknown') as sex,
        r.age_code,
        coalesce(ag.standard_code, 'unknown') as age_group,
        r.population
    from current_rows as r
    {{ join_code('sex', 'r.sex_code', 'sx') }}
    {{ join_code('age_group', 'r.age_code', 'ag') }}
)

select * from final
