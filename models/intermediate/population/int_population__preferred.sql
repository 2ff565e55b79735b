-- Population per country, year, sex and age group; where several sources give the same group,
-- the one with the best precedence wins (national before World Bank).
with population as (
    select * from {{ ref('stg_population__population') }}
),

precedence as (
    select * from {{ ref('source_precedence') }}
),

grouped as (
    select
        source,
        country_iso3,
        year,
        sex,
        age_group,
        sum(population) as population
    from population
    group by source, country_iso3, year, sex, age_group
),

ranked as (
    select
        grouped.*,
        row_number() over (
            partition by grouped.country_iso3, grouped.year, grouped.sex, grouped.age_group
            order by coalesce(precedence.precedence, 50), grouped.source
        ) as rank_in_group
    from grouped
    left join precedence on grouped.source = precedence.source
),

final as (
    select
        country_iso3,
        year,
        sex,
        age_group,
        population,
        source as population_source
    from ranked
    where rank_in_group = 1
)

select * from final
