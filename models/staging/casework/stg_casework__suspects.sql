-- Case-level suspects/offenders of current submissions, one row per person and stage, with codes
-- mapped to the standard (stage through the seed justice_stages).
with current_rows as (
    {{ current_rows(source('raw', 'case_suspects'), 'suspects') }}
),

{{ code_map_cte('casework') }},

stages as (
    select * from {{ ref('justice_stages') }}
),

final as (
    select
        r.submission_id,
        r.source,
        r.source_format,
        r.row_number,
        r.country_iso3,
        r.year,
        r.person_pseudonym,
        r.case_pseudonym,
        coalesce(sx.standard_code, 'unknown') as sex,
        r.age_years,
        case
            when r.age_years < 18 then 'child'
            when r.age_years >= 18 then 'adult'
            else coalesce(ag.standard_code, 'unknown')
        end as age_group,
        r.citizenship_iso3,
        case
            when r.citizenship_iso3 is null then 'unknown'
            when r.citizenship_iso3 = r.country_iso3 then 'nationals'
            else 'foreign'
        end as citizenship,
        r.role_code,
        r.stage_code,
        coalesce(stages.justice_stage, 'unknown') as justice_stage
    from current_rows as r
    {{ join_code('sex', 'r.sex_code', 'sx') }}
    {{ join_code('age_group', 'r.age_band_code', 'ag') }}
    left join stages on stages.stage_code = lower(trim(r.stage_code))
)

select * from final
