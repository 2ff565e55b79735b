{#- Case-level victim cells of current submissions with codes mapped to the standard and summed at
    the standard grain (no totals yet): sex, age group (from the age at identification, else the age
    band; bands straddling 18 are unknown), citizenship group and form ('total' = the count of victims
    over all forms, each victim once). -#}
with {{ code_map_cte('casework') }},

mapped as (
    select
        cells.source,
        cells.country_iso3,
        cells.year,
        cells.submission_id,
        coalesce(sx.standard_code, 'unknown') as sex,
        coalesce(cells.age_group_by_years, ag.standard_code, 'unknown') as age_group,
        cells.citizenship,
        case
            when cells.form_code is null then 'total'
            else coalesce(fm.standard_code, 'unknown')
        end as form_of_exploitation,
        cells.victims_count
    from ({{ current_rows(ref('int_casework__victim_cells'), 'victims', 'c', with_source=false) }}) as cells
    {{ join_code('sex', 'cells.sex_code', 'sx') }}
    {{ join_code('age_group', 'cells.age_band_code', 'ag') }}
    {{ join_code('form_of_exploitation', 'cells.form_code', 'fm') }}
),

final as (
    select
        source,
        country_iso3,
        year,
        sex,
        age_group,
        citizenship,
        form_of_exploitation,
        max(submission_id) as submission_id,
        sum(victims_count) as victims_count
    from mapped
    group by source, country_iso3, year, sex, age_group, citizenship, form_of_exploitation
)

select * from final
