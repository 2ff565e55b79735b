-- Revised cells with disclosure control on both the old and the new value.
with revisions as (
    select * from {{ ref('int_aggregates__revisions') }}
),

flagged as (
    select
        revisions.*,
        {{ suppression_reason('old_value', 'unit', 'null') }} as old_suppression,
        {{ suppression_reason('new_value', 'unit', 'null') }} as new_suppression
    from revisions
),

final as (
    select
        source,
        country_iso3,
        cast(year as integer) as year,
        indicator,
        sex,
        age_group,
        form_of_exploitation,
        citizenship,
        estimate_type,
        change,
        {{ protected_measures('old_suppression', 'old_', 'old_value', 'old_value_lower', 'old_value_upper') }},
        old_suppression,
        {{ protected_measures('new_suppression', 'new_', 'new_value', 'new_value_lower', 'new_value_upper') }},
        new_suppression,
        cast(old_submission_id as integer) as old_submission_id,
        cast(old_accepted_at as timestamp) as old_accepted_at,
        cast(new_submission_id as integer) as new_submission_id,
        cast(new_accepted_at as timestamp) as new_accepted_at
    from flagged
)

select * from final
