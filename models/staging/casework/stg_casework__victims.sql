-- Case-level victims of current submissions (tipdw victims template and CTDC), one row per victim,
-- with codes mapped to the standard. Child/adult comes from the age at identification, else from
-- the age band (seed age_bands through the crosswalk; a band straddling 18 is unknown).
with current_rows as (
    {{ current_rows(source('raw', 'case_victims'), 'victims') }}
),

{{ code_map_cte('casework') }},

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
        r.sex_code,
        coalesce(sx.standard_code, 'unknown') as sex,
        r.age_years,
        r.age_band_code,
        case
            when r.age_years < 18 then 'child'
            when r.age_years >= 18 then 'adult'
        end as age_group_by_years,
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
        r.date_identified,
        r.identifying_agency
    from current_rows as r
    {{ join_code('sex', 'r.sex_code', 'sx') }}
    {{ join_code('age_group', 'r.age_band_code', 'ag') }}
)

select * from final
