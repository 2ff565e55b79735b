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
        {{ protected_value('old_value', 'old_suppression') }} as old_value,
        {{ protected_lower('old_value_lower', 'old_suppression') }} as old_value_lower,
        {{ protected_upper('old_value_upper', 'old_suppression') }} as old_value_upper,
        old_suppression,
        {{ protected_value('new_value', 'new_suppression') }} as new_value,
        {{ protected_lower('new_value_lower', 'new_suppression') }} as new_value_lower,
        {{ protected_upper('new_value_upper', 'new_suppression') }} as new_value_upper,
        new_suppression,
        cast(old_submission_id as integer) as old_submission_id,
        cast(old_accepted_at as timestamp) as old_accepted_at,
        cast(new_submission_id as integer) as new_submission_id,
        cast(new_accepted_at as timestamp) as new_accepted_at
    from flagged
)

select * from final
