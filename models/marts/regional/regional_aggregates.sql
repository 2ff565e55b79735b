{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rebuilt_rows(['region_type', 'region', 'year'], changed_region_years(ref('int_region_memberships'))) }}"
) }}
{#- Regional sums of detected counts from the preferred source per country, with coverage.
    Coverage rule: a country counts for year Y if it reported Y or, when var('coverage_years') = N
    is above 0 (env TIPDW_COVERAGE_YEARS), its most recent year within N years before Y. Nothing
    else is imputed.
    Disclosure control across tables: the sums are taken over the PROTECTED country values of
    preferred_counts. A region cell is published only when every country in it is published there,
    so it is a sum of published figures and cannot be used to recover a withheld country value
    (region minus the other countries); otherwise it is withheld ('secondary') with bounds. Then
    secondary suppression runs within this table.
    Incremental: a build after new submissions recomputes only the region-years they can change
    (macros/changed_scopes.sql). -#}
{% set n = var('coverage_years') | int %}
{% set keys = ['region_type', 'region', 'year', 'indicator', 'sex', 'age_group', 'form_of_exploitation', 'citizenship'] %}
{% set dims = ['sex', 'age_group', 'form_of_exploitation', 'citizenship'] %}

with counts as (
    select * from {{ ref('preferred_counts') }}
    where
        estimate_type = 'detected'
        and (value is not null or value_upper is not null or suppression is not null)
),

memberships as (
    select * from {{ ref('int_region_memberships') }}
),

population as (
    select
        country_iso3,
        year,
        population
    from {{ ref('int_population__preferred') }}
    where sex = 'total' and age_group = 'total'
),

{% if n > 0 %}
    years as (
        select distinct year from counts
    ),

    candidates as (
        select
            counts.country_iso3,
            years.year,
            counts.year as reported_year,
            counts.indicator,
            counts.sex,
            counts.age_group,
            counts.form_of_exploitation,
            counts.citizenship,
            counts.unit,
            counts.value,
            counts.value_lower,
            counts.value_upper,
            counts.suppression,
            row_number() over (
                partition by
                    counts.country_iso3, years.year, counts.indicator, counts.sex, counts.age_group,
                    counts.form_of_exploitation, counts.citizenship
                order by counts.year desc
            ) as recency
        from counts
        inner join years on counts.year <= years.year and counts.year >= years.year - {{ n }}
    ),

    used as (
        select * from candidates
        where recency = 1
    ),
{% else %}
    -- reported year only: each country's own figure for the year
    used as (
        select
            country_iso3,
            year,
            year as reported_year,
            indicator,
            sex,
            age_group,
            form_of_exploitation,
            citizenship,
            unit,
            value,
            value_lower,
            value_upper,
            suppression
        from counts
    ),
{% endif %}

-- `used` holds at most one row per country, year and cell, and a country belongs to a region once:
-- each group below counts each of its countries once, so count(*) counts countries.
summed as (
    select
        memberships.region_type,
        memberships.region,
        used.year,
        used.indicator,
        used.sex,
        used.age_group,
        used.form_of_exploitation,
        used.citizenship,
        min(used.unit) as unit,
        case when count(*) = count(used.value) then sum(used.value) end as value,
        sum(coalesce(used.value, used.value_lower)) as value_lower,
        case
            when count(*) = count(coalesce(used.value, used.value_upper))
                then sum(coalesce(used.value, used.value_upper))
        end as value_upper,
        count(used.suppression) as countries_withheld,
        count(*) as countries_reporting,
        sum(case when used.reported_year < used.year then 1 else 0 end) as countries_carried_forward,
        max(memberships.countries_in_region) as countries_in_region,
        sum(population.population) as population_reporting
    from used
    inner join memberships on used.country_iso3 = memberships.country_iso3
    left join population on used.country_iso3 = population.country_iso3 and used.year = population.year
    {% if rebuilds_changed_scopes() %}
        where {{ in_changed_scopes(none, ['region_type', 'region', 'year'],
            changed_region_years(ref('int_region_memberships')),
            ['memberships.region_type', 'memberships.region', 'used.year']) }}
    {% endif %}
    group by
        memberships.region_type, memberships.region, used.year, used.indicator, used.sex,
        used.age_group, used.form_of_exploitation, used.citizenship
),

region_population as (
    select
        memberships.region_type,
        memberships.region,
        population.year,
        sum(population.population) as population_loaded
    from memberships
    inner join population on memberships.country_iso3 = population.country_iso3
    group by memberships.region_type, memberships.region, population.year
),

flagged as (
    select
        summed.*,
        region_population.population_loaded,
        case
            when summed.countries_withheld > 0 then 'secondary'
            else {{ suppression_reason('summed.value', 'summed.unit', 'null') }}
        end as suppression
    from summed
    left join region_population
        on
            summed.region_type = region_population.region_type
            and summed.region = region_population.region
            and summed.year = region_population.year
),

{{ secondary_suppression('flagged', 'protected', keys, dims,
    keys + ['unit', 'value', 'value_lower', 'value_upper', 'countries_reporting', 'countries_in_region',
            'countries_carried_forward', 'countries_withheld', 'population_reporting', 'population_loaded']) }},

final as (
    select
        region_type,
        region,
        cast(year as integer) as year,
        indicator,
        sex,
        age_group,
        form_of_exploitation,
        citizenship,
        {{ protected_value('value', 'suppression') }} as value,
        -- a cell withheld because a country in it is withheld keeps the sum of published bounds
        case
            when countries_withheld > 0 then cast(value_lower as bigint)
            else {{ protected_lower('value_lower', 'suppression') }}
        end as value_lower,
        case
            when countries_withheld > 0 then cast(value_upper as bigint)
            else {{ protected_upper('value_upper', 'suppression') }}
        end as value_upper,
        suppression,
        cast(countries_reporting as integer) as countries_reporting,
        cast(countries_in_region as integer) as countries_in_region,
        cast(countries_carried_forward as integer) as countries_carried_forward,
        round(100 * {{ safe_divide('population_reporting', 'population_loaded') }}, 1) as population_covered_pct,
        {% if n > 0 %}
            'year or most recent within {{ n }} years' as coverage_rule,
        {% else %}
            'reported year only' as coverage_rule,
        {% endif %}
        'Sum over reporting countries only; nothing imputed. Detected victims reflect detection capacity, not prevalence.'
            as comparability_note
    from protected
)

select * from final
