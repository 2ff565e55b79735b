{{ incremental_by_country_year() }}
-- Incremental: a build after new submissions recomputes only the country-years they change
-- (macros/changed_scopes.sql).
-- Every source's counts at the comparable grain (int_counts__comparable: given rows, plus totals
-- derived where the source declares additivity, with comparability notes), with primary and
-- secondary suppression applied within each source (macros/disclosure.sql).
{% set keys = ['source', 'country_iso3', 'year', 'indicator', 'sex', 'age_group', 'form_of_exploitation', 'citizenship', 'estimate_type'] %}
{% set dims = ['sex', 'age_group', 'form_of_exploitation', 'citizenship'] %}

with counts as (
    select * from {{ ref('int_counts__comparable') }}
    {{ changed_scopes_filter(ref('int_counts__comparable')) }}
),

flagged as (
    select
        counts.*,
        {{ suppression_reason('counts.value', 'counts.unit', 'counts.conf_status') }} as suppression
    from counts
),

{{ secondary_suppression('flagged', 'protected', keys, dims,
    keys + ['value', 'value_lower', 'value_upper', 'obs_status', 'conf_status', 'submission_id',
            'is_derived', 'comparability_note']) }},

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
        {{ protected_measures('suppression') }},
        obs_status,
        {{ protected_conf_status('conf_status', 'suppression') }} as conf_status,
        suppression,
        is_derived,
        source,
        cast(submission_id as integer) as submission_id,
        comparability_note
    from protected
)

select * from final
