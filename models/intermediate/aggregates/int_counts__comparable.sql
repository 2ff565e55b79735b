{#- Every source's counts at the comparable grain, with the totals a source left out derived from
    its parts where every part is known and the source declares additivity (macros/totals.sql), and
    a comparability note per row: estimated or detected, derived or given, the submission's own
    definition of victim and counting unit (raw.submissions.metadata), and the indicator's caveat. -#}
{% set keys = ['source', 'country_iso3', 'year', 'indicator', 'sex', 'age_group', 'form_of_exploitation', 'citizenship', 'estimate_type'] %}

with counts as (
    select
        {% for k in keys %}{{ k }},{% endfor %}
        unit,
        value,
        value_lower,
        value_upper,
        obs_status,
        conf_status,
        is_additive,
        false as is_derived,
        submission_id,
        source_rows
    from {{ ref('int_aggregates__standard_grain') }}
    {{ changed_scopes_filter(ref('int_aggregates__standard_grain')) }}
),

{{ derive_totals('counts', 'with_totals', keys, ['sex', 'age_group', 'form_of_exploitation', 'citizenship']) }},

submissions as (
    select * from {{ ref('stg_registry__submissions') }}
),

indicators as (
    select * from {{ ref('indicators') }}
),

final as (
    select
        with_totals.*,
        case
            when with_totals.estimate_type = 'estimated'
                then 'Estimated figure; never add to detected counts. '
            else ''
        end
        || case
            when with_totals.is_derived
                then 'Total derived by tipdw as the sum of parts the source declares additive. '
            else ''
        end
        || coalesce('Definition of victim: ' || submissions.definition_of_victim || '. ', '')
        || coalesce('Counting unit: ' || submissions.counting_unit || '. ', '')
        || coalesce(indicators.description, '') as comparability_note
    from with_totals
    left join submissions on with_totals.submission_id = submissions.submission_id
    left join indicators on with_totals.indicator = indicators.indicator
)

select * from final
