-- Every source's counts at the comparable grain, with primary and secondary suppression applied
-- within each source (macros/disclosure.sql).
{% set keys = ['source', 'country_iso3', 'year', 'indicator', 'sex', 'age_group', 'form_of_exploitation', 'citizenship', 'estimate_type'] %}
{% set dims = ['sex', 'age_group', 'form_of_exploitation', 'citizenship'] %}

with counts as (
    select * from {{ ref('int_aggregates__standard_grain') }}
),

indicators as (
    select * from {{ ref('indicators') }}
),

flagged as (
    select
        counts.*,
        indicators.description as indicator_caveat,
        {{ suppression_reason('counts.value', 'counts.unit', 'counts.conf_status') }} as suppression
    from counts
    left join indicators on counts.indicator = indicators.indicator
),

{{ secondary_suppression('flagged', 'protected', keys, dims,
    keys + ['value', 'value_lower', 'value_upper', 'obs_status', 'conf_status', 'submission_id',
            'indicator_caveat']) }},

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
        {{ protected_conf_status('conf_status', 'suppression') }} as conf_status,
        suppression,
        false as is_derived,
        source,
        cast(submission_id as integer) as submission_id,
        case
            when estimate_type = 'estimated' then 'Estimated figure; never add to detected counts. '
            else ''
        end || coalesce(indicator_caveat, '') as comparability_note
    from protected
)

select * from final
