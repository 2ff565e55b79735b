-- One row per cell across sources, chosen by the precedence in seed source_precedence, with
-- primary and secondary suppression (macros/disclosure.sql). Every other country-level mart reads
-- its counts from here, so no mart publishes a count this table withholds.
{% set keys = ['country_iso3', 'year', 'indicator', 'sex', 'age_group', 'form_of_exploitation', 'citizenship', 'estimate_type'] %}
{% set dims = ['sex', 'age_group', 'form_of_exploitation', 'citizenship'] %}

with preferred as (
    select * from {{ ref('int_counts__preferred') }}
),

flagged as (
    select
        preferred.*,
        {{ suppression_reason('value', 'unit', 'conf_status') }} as suppression
    from preferred
),

{{ secondary_suppression('flagged', 'protected', keys, dims,
    keys + ['unit', 'value', 'value_lower', 'value_upper', 'obs_status', 'conf_status', 'source',
            'precedence', 'sources_available', 'submission_id']) }},

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
        unit,
        {{ protected_value('value', 'suppression') }} as value,
        {{ protected_lower('value_lower', 'suppression') }} as value_lower,
        {{ protected_upper('value_upper', 'suppression') }} as value_upper,
        obs_status,
        {{ protected_conf_status('conf_status', 'suppression') }} as conf_status,
        suppression,
        source as chosen_source,
        cast(precedence as integer) as chosen_precedence,
        cast(sources_available as integer) as sources_available,
        cast(submission_id as integer) as submission_id
    from protected
)

select * from final
