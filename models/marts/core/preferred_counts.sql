{{ incremental_by_country_year() }}
-- Incremental: a build after new submissions recomputes only the country-years they change
-- (macros/changed_scopes.sql).
-- One row per cell across sources, chosen by the precedence in seed source_precedence, with
-- primary and secondary suppression (macros/disclosure.sql). Every other country-level mart reads
-- its counts from here, so no mart publishes a count this table withholds.
{% set keys = ['country_iso3', 'year', 'indicator', 'sex', 'age_group', 'form_of_exploitation', 'citizenship', 'estimate_type'] %}
{% set dims = ['sex', 'age_group', 'form_of_exploitation', 'citizenship'] %}

with preferred as (
    select * from {{ ref('int_counts__preferred') }}
    {{ changed_scopes_filter(ref('int_counts__preferred')) }}
),

flagged as (
    select
        preferred.*,
        {{ suppression_reason('value', 'unit', 'conf_status') }} as suppression
    from preferred
),

{{ secondary_suppression('flagged', 'protected', keys, dims,
    keys + ['unit', 'value', 'value_lower', 'value_upper', 'obs_status', 'conf_status', 'source',
            'precedence', 'sources_available', 'submission_id', 'is_derived']) }},

-- The sources that lost each cell, best precedence first, with the figure comparable_counts
-- publishes for them (so nothing withheld there is shown here).
losers as (
    select
        {% for k in keys %}losing.{{ k }},{% endfor %}
        {{ agg_text(
            "losing.source || ': ' || case
                when losing.value is not null then cast(losing.value as " ~ dbt.type_string() ~ ")
                when losing.suppression is not null then 'suppressed'
                when losing.value_upper is not null then cast(losing.value_lower as " ~ dbt.type_string()
                    ~ ") || '-' || cast(losing.value_upper as " ~ dbt.type_string() ~ ")
                else 'blank'
            end || ' (submission ' || cast(losing.submission_id as " ~ dbt.type_string() ~ ") || ')'",
            "'; '",
            'coalesce(precedence.precedence, 99), losing.source') }} as losing_sources
    from {{ ref('comparable_counts') }} as losing
    inner join protected as chosen
        on
            {% for k in keys %}losing.{{ k }} = chosen.{{ k }} and {% endfor %}losing.source <> chosen.source
    left join {{ ref('source_precedence') }} as precedence on losing.source = precedence.source
    group by {% for k in keys %}losing.{{ k }}{% if not loop.last %}, {% endif %}{% endfor %}
),

with_losers as (
    select
        protected.*,
        losers.losing_sources
    from protected
    left join losers
        on {% for k in keys %}protected.{{ k }} = losers.{{ k }}{% if not loop.last %} and {% endif %}{% endfor %}
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
        unit,
        {{ protected_measures('suppression') }},
        obs_status,
        {{ protected_conf_status('conf_status', 'suppression') }} as conf_status,
        suppression,
        source as chosen_source,
        cast(precedence as integer) as chosen_precedence,
        cast(sources_available as integer) as sources_available,
        losing_sources,
        is_derived,
        cast(submission_id as integer) as submission_id
    from with_losers
)

select * from final
