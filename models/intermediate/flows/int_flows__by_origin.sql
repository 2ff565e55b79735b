{#- Detected victims by citizenship COUNTRY (origin) per country of detection, year and source,
    from every aggregate format that carries citizenship_iso3 (e.g. GLOTIP 'by citizenship').

    The standard grain (int_aggregates__standard_grain) has no origin country: adding one would
    change the grain of every model below it. This model reads the same inputs (the staging models
    that int_aggregates__unioned unions, found in dbt's graph, so the list lives in one
    place) and keeps only rows with a citizenship country. Inputs without a citizenship_iso3
    column are skipped. The best source per cell wins by seed source_precedence.
    Incremental by country-year (macros/changed_scopes.sql): every cell lies within one. -#}
-- depends_on: {{ ref('int_aggregates__unioned') }}
{{ incremental_by_country_year() }}
{%- set inputs = [] %}
{%- if execute %}
    {%- set grain = graph.nodes.values() | selectattr('name', 'equalto', 'int_aggregates__unioned') | first %}
    {%- set models = [] %}
    {%- for uid in grain.depends_on.nodes if uid.startswith('model.') %}
        {%- do models.append(uid) %}
    {%- endfor %}
    {%- set inputs = relations_with_column(models, 'citizenship_iso3') %}
{%- endif %}
{%- set scoped = changed_scopes_condition('src') %}

with unioned as (
    {%- for rel in inputs %}
    select
        source,
        country_iso3,
        year,
        indicator,
        citizenship,
        citizenship_iso3,
        estimate_type,
        unit,
        value,
        value_lower,
        value_upper,
        obs_status,
        conf_status,
        submission_id
    from {{ rel }}{% if scoped %} as src{% endif %}
    where
        indicator = 'detected_victims'
        and citizenship_iso3 is not null
        and sex = 'total' and age_group = 'total' and form_of_exploitation = 'total'
        {% if scoped %}and {{ scoped }}{% endif %}
    union all
    {%- endfor %}
    select
        cast(null as varchar) as source,
        cast(null as varchar) as country_iso3,
        cast(null as integer) as year,
        cast(null as varchar) as indicator,
        cast(null as varchar) as citizenship,
        cast(null as varchar) as citizenship_iso3,
        cast(null as varchar) as estimate_type,
        cast(null as varchar) as unit,
        cast(null as double precision) as value,
        cast(null as double precision) as value_lower,
        cast(null as double precision) as value_upper,
        cast(null as varchar) as obs_status,
        cast(null as varchar) as conf_status,
        cast(null as integer) as submission_id
    where 1 = 0
),

grouped as (
    select
        source,
        country_iso3,
        year,
        citizenship,
        citizenship_iso3,
        estimate_type,
        min(unit) as unit,
        case when count(*) = count(value) then sum(value) end as value,
        case when count(*) = count(value_lower) then sum(value_lower) end as value_lower,
        case when count(*) = count(value_upper) then sum(value_upper) end as value_upper,
        {{ agg_flag_set('obs_status') }} as obs_status,
        {{ agg_flag_set('conf_status') }} as conf_status,
        max(submission_id) as submission_id
    from unioned
    group by source, country_iso3, year, citizenship, citizenship_iso3, estimate_type
),

precedence as (
    select * from {{ ref('source_precedence') }}
),

ranked as (
    select
        grouped.*,
        row_number() over (
            partition by grouped.country_iso3, grouped.year, grouped.citizenship_iso3, grouped.estimate_type
            order by coalesce(precedence.precedence, 99), grouped.source
        ) as rank_in_cell
    from grouped
    left join precedence on grouped.source = precedence.source
),

final as (
    select
        source,
        country_iso3,
        cast(year as integer) as year,
        citizenship,
        citizenship_iso3,
        estimate_type,
        unit,
        value,
        value_lower,
        value_upper,
        obs_status,
        conf_status,
        submission_id
    from ranked
    where rank_in_cell = 1
)

select * from final
