{#- Regional sums of detected counts from the preferred source per country, with coverage.
    Coverage rule: a country counts for year Y if it reported Y or, when var('coverage_years') = N
    is above 0, its most recent year within N years before Y. Nothing else is imputed. -#}
{% set n = var('coverage_years') | int %}

with counts as (
    select * from {{ ref('int_counts__preferred') }}
    where estimate_type = 'detected' and (value is not null or value_upper is not null)
),

memberships as (
    select * from {{ ref('int_region_memberships') }}
),

population as (
    select country_iso3, year, population
    from {{ ref('int_population__preferred') }}
    where sex = 'total' and age_group = 'total'
),

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
    select * from candidates where recency = 1
),

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
        sum(coalesce(used.value, used.value_upper)) as value_upper,
        count(distinct used.country_iso3) as countries_reporting,
        count(distinct case when used.reported_year < used.year then used.country_iso3 end)
            as countries_carried_forward,
        max(memberships.countries_in_region) as countries_in_region,
        sum(population.population) as population_reporting
    from used
    inner join memberships on used.country_iso3 = memberships.country_iso3
    left join population on used.country_iso3 = population.country_iso3 and used.year = population.year
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
        {{ suppression_reason('summed.value', 'summed.unit', 'null') }} as suppression
    from summed
    left join region_population
        on
            summed.region_type = region_population.region_type
            and summed.region = region_population.region
            and summed.year = region_population.year
),

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
        {{ protected_lower('value_lower', 'suppression') }} as value_lower,
        {{ protected_upper('value_upper', 'suppression') }} as value_upper,
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
    from flagged
)

select * from final
