{#- Detected victims from case-level data at the standard grain, for the union of aggregate
    sources: every combination of sex x age group x citizenship with explicit 'total' rows (CUBE)
    for each form and for the form total. The form total counts each victim once; each form counts
    every victim subjected to it, so form rows may add up to more than the total. -#}
with mapped as (
    select * from {{ ref('int_casework__victim_cells_mapped') }}
),

cubed as (
    select
        source,
        country_iso3,
        year,
        form_of_exploitation,
        case when grouping(sex) = 1 then 'total' else sex end as sex,
        case when grouping(age_group) = 1 then 'total' else age_group end as age_group,
        case when grouping(citizenship) = 1 then 'total' else citizenship end as citizenship,
        max(submission_id) as submission_id,
        sum(victims_count) as victims_count
    from mapped
    group by source, country_iso3, year, form_of_exploitation, cube (sex, age_group, citizenship)
),

final as (
    select
        submission_id,
        source,
        country_iso3,
        year,
        'detected_victims' as indicator,
        sex,
        age_group,
        form_of_exploitation,
        citizenship,
        'persons' as unit,
        'detected' as estimate_type,
        cast(victims_count as double) as value,
        cast(victims_count as double) as value_lower,
        cast(victims_count as double) as value_upper,
        cast(null as varchar) as obs_status,
        cast(null as varchar) as conf_status,
        false as is_additive
    from cubed
)

select * from final
