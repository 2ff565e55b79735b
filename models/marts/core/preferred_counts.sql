-- One row per cell across sources, chosen by the precedence in seed source_precedence.
with preferred as (
    select * from {{ ref('int_counts__preferred') }}
),

flagged as (
    select
        preferred.*,
        {{ suppression_reason('value', 'unit', 'conf_status') }} as suppression
    from preferred
),

final as (
    select
        country_iso3,
        cast(year as integer) as year,
        indicator,
        sex,
        age_group,
        form_of_exploitation,
        citizenship,
        estimate_type,
        {{ protected_value('value', 'suppression') }} as value,
        {{ protected_lower('value_lower', 'suppression') }} as value_lower,
        {{ protected_upper('value_upper', 'suppression') }} as value_upper,
        obs_status,
        case suppression when 'primary' then 'A' else conf_status end as conf_status,
        suppression,
        source as chosen_source,
        cast(precedence as integer) as chosen_precedence,
        cast(sources_available as integer) as sources_available,
        cast(submission_id as integer) as submission_id
    from flagged
)

select * from final
