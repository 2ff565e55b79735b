-- The gap map: for every country and area in the code list `countries`, every year in which any
-- country reported, every indicator and every breakdown, whether the figure is reported, partly
-- suppressed or missing. Universe: all countries (not only those that ever submitted), so the
-- gaps of countries that never reported show; has_ever_reported separates the two.
-- A breakdown's cells are its parts with every other breakdown at 'total' (e.g. breakdown 'sex'
-- is female, male, other, unknown at age, form and citizenship total); breakdown 'total' is the
-- single all-total cell. Status reads the published (protected) counts of preferred_counts.
-- Incremental: a country's rows depend on its own counts, and the years on every country's. So a
-- build after new submissions deletes the rows of the changed countries and of the years no
-- country reports any more, and recomputes those countries in every year and every country in the
-- years not in the table yet (macros/changed_scopes.sql).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rebuilt_availability_rows(ref('preferred_counts')) }}"
) }}
{%- set rebuilt -%}
    country_iso3 in ({{ changed_countries() }}) or year not in (select year from {{ this }})
{%- endset %}

with counts as (
    select * from {{ ref('preferred_counts') }}
    where estimate_type = 'detected'
),

countries as (
    select iso3 as country_iso3 from {{ ref('countries') }}
),

indicators as (
    select indicator from {{ ref('indicators') }}
),

years as (
    select distinct year from counts
),

breakdowns as (
    select 'total' as breakdown
    union all
    select 'sex'
    union all
    select 'age_group'
    union all
    select 'sex_age'
    union all
    select 'form_of_exploitation'
    union all
    select 'citizenship'
),

cells as (
    select
        country_iso3,
        year,
        indicator,
        case
            when sex = 'total' and age_group = 'total' and form_of_exploitation = 'total' and citizenship = 'total'
                then 'total'
            when sex <> 'total' and age_group = 'total' and form_of_exploitation = 'total' and citizenship = 'total'
                then 'sex'
            when sex = 'total' and age_group <> 'total' and form_of_exploitation = 'total' and citizenship = 'total'
                then 'age_group'
            when sex <> 'total' and age_group <> 'total' and form_of_exploitation = 'total' and citizenship = 'total'
                then 'sex_age'
            when sex = 'total' and age_group = 'total' and form_of_exploitation <> 'total' and citizenship = 'total'
                then 'form_of_exploitation'
            when sex = 'total' and age_group = 'total' and form_of_exploitation = 'total' and citizenship <> 'total'
                then 'citizenship'
        end as breakdown,
        case
            when {{ is_hidden('value', 'value_upper', 'suppression') }} then 'suppressed'
            when value is null then 'unknown'
            else 'published'
        end as cell_status
    from counts
    {% if rebuilds_changed_scopes() %}where {{ rebuilt }}{% endif %}
),

summarised as (
    select
        country_iso3,
        year,
        indicator,
        breakdown,
        sum(case when cell_status = 'published' then 1 else 0 end) as cells_published,
        sum(case when cell_status = 'suppressed' then 1 else 0 end) as cells_suppressed,
        sum(case when cell_status = 'unknown' then 1 else 0 end) as cells_unknown
    from cells
    where breakdown is not null
    group by country_iso3, year, indicator, breakdown
),

reporters as (
    select distinct country_iso3 from counts
),

grid as (
    select
        countries.country_iso3,
        years.year,
        indicators.indicator,
        breakdowns.breakdown
    from countries
    cross join years
    cross join indicators
    cross join breakdowns
),

rebuilt_grid as (
    select * from grid
    {% if rebuilds_changed_scopes() %}where {{ rebuilt }}{% endif %}
),

final as (
    select
        grid.country_iso3,
        cast(grid.year as integer) as year,
        grid.indicator,
        grid.breakdown,
        case
            when coalesce(summarised.cells_published, 0) + coalesce(summarised.cells_suppressed, 0) = 0
                then 'missing'
            when summarised.cells_suppressed > 0 then 'suppressed'
            else 'reported'
        end as status,
        cast(coalesce(summarised.cells_published, 0) as integer) as cells_published,
        cast(coalesce(summarised.cells_suppressed, 0) as integer) as cells_suppressed,
        cast(coalesce(summarised.cells_unknown, 0) as integer) as cells_unknown,
        reporters.country_iso3 is not null as has_ever_reported
    from rebuilt_grid as grid
    left join summarised
        on
            grid.country_iso3 = summarised.country_iso3
            and grid.year = summarised.year
            and grid.indicator = summarised.indicator
            and grid.breakdown = summarised.breakdown
    left join reporters on grid.country_iso3 = reporters.country_iso3
)

select * from final
