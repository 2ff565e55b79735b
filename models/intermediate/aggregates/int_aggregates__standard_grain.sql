{#- Every aggregate source at the standard grain. Several national codes that map to one
    standard code (e.g. age bands 0-8 and 9-17 -> child) are added up; a sum with any unknown
    part stays unknown, and bounds add up. The sources are unioned in int_aggregates__unioned
    (to add a format, add its model to the list there). -#}
with unioned as (
    select * from {{ ref('int_aggregates__unioned') }}
    {{ changed_scopes_filter(ref('int_aggregates__unioned')) }}
),

final as (
    select
        source,
        country_iso3,
        year,
        indicator,
        sex,
        age_group,
        form_of_exploitation,
        citizenship,
        estimate_type,
        min(unit) as unit,
        max(submission_id) as submission_id,
        case when count(*) = count(value) then sum(value) end as value,
        case when count(*) = count(value_lower) then sum(value_lower) end as value_lower,
        case when count(*) = count(value_upper) then sum(value_upper) end as value_upper,
        {{ agg_flag_set('obs_status') }} as obs_status,
        {{ agg_flag_set('conf_status') }} as conf_status,
        bool_and(is_additive) as is_additive,
        count(*) as source_rows
    from unioned
    group by
        source, country_iso3, year, indicator, sex, age_group, form_of_exploitation, citizenship,
        estimate_type
)

select * from final
