-- Trafficking flows: victims detected in a country or region by citizenship (origin). Origin is a
-- citizenship group (total, nationals = domestic, foreign, unknown) or a citizenship country (ISO3,
-- from formats that report 'by citizenship', via int_flows__by_origin). Shares are of the total
-- detected in the same area and year. Counts come protected: country groups from preferred_counts;
-- origin-country rows get primary and secondary suppression here with the foreign total as their
-- margin; they are kept only from the source that gave the country's total. A region row is
-- published only when every country in it is published (as in regional_aggregates), so it is a sum
-- of published figures; its breakdown rows add, per country, only rows of the source of that
-- country's total.
{% set keys = ['country_iso3', 'year', 'citizenship', 'origin_iso3'] %}

with groups as (
    select
        country_iso3,
        year,
        citizenship,
        'total' as origin_iso3,
        unit,
        value,
        value_lower,
        value_upper,
        obs_status,
        conf_status,
        suppression,
        chosen_source as source
    from {{ ref('preferred_counts') }}
    where
        indicator = 'detected_victims'
        and estimate_type = 'detected'
        and sex = 'total'
        and age_group = 'total'
        and form_of_exploitation = 'total'
),

origins as (
    -- Only origin countries from the source whose total the country's figures come from: shares
    -- must not divide one source's counts by another's total.
    select
        o.country_iso3,
        o.year,
        o.citizenship,
        o.citizenship_iso3 as origin_iso3,
        o.unit,
        o.value,
        o.value_lower,
        o.value_upper,
        o.obs_status,
        o.conf_status,
        {{ suppression_reason('o.value', 'o.unit', 'o.conf_status') }} as suppression,
        o.source
    from {{ ref('int_flows__by_origin') }} as o
    inner join {{ ref('preferred_counts') }} as t
        on
            o.country_iso3 = t.country_iso3
            and o.year = t.year
            and o.source = t.chosen_source
            and t.indicator = 'detected_victims'
            and t.estimate_type = 'detected'
            and t.sex = 'total'
            and t.age_group = 'total'
            and t.form_of_exploitation = 'total'
            and t.citizenship = 'total'
    where o.estimate_type = 'detected'
),

cells as (
    select * from groups
    union all
    select * from origins
),

{{ secondary_suppression('cells', 'protected', keys, ['citizenship', 'origin_iso3'],
    keys + ['unit', 'value', 'value_lower', 'value_upper', 'obs_status', 'conf_status', 'source']) }},

country_rows as (
    select
        'country' as area_type,
        country_iso3 as area,
        country_iso3,
        year,
        citizenship,
        origin_iso3,
        {{ protected_measures('suppression') }},
        obs_status,
        {{ protected_conf_status('conf_status', 'suppression') }} as conf_status,
        suppression,
        source,
        1 as countries_reporting
    from protected
),

memberships as (
    select * from {{ ref('int_region_memberships') }}
),

country_totals as (
    -- The source of each country-year's total: a region's breakdown rows add up, per country, only
    -- rows of that source, so no country adds parts of one source to a total of another (a region's
    -- nationals could otherwise exceed its total).
    select
        country_iso3,
        year,
        source as total_source
    from country_rows
    where citizenship = 'total' and origin_iso3 = 'total'
),

region_rows as (
    select
        memberships.region_type as area_type,
        memberships.region as area,
        cast(null as varchar) as country_iso3,
        country_rows.year,
        country_rows.citizenship,
        country_rows.origin_iso3,
        case when count(*) = count(country_rows.value) then sum(country_rows.value) end as value,
        sum(coalesce(country_rows.value, country_rows.value_lower)) as value_lower,
        case
            when count(*) = count(coalesce(country_rows.value, country_rows.value_upper))
                then sum(coalesce(country_rows.value, country_rows.value_upper))
        end as value_upper,
        {{ agg_flag_set('country_rows.obs_status') }} as obs_status,
        cast(null as varchar) as conf_status,
        case when count(country_rows.suppression) > 0 then 'secondary' end as suppression,
        cast(null as varchar) as source,
        count(*) as countries_reporting
    from country_rows
    inner join memberships on country_rows.country_iso3 = memberships.country_iso3
    left join country_totals
        on
            country_rows.country_iso3 = country_totals.country_iso3
            and country_rows.year = country_totals.year
    where
        (country_rows.citizenship = 'total' and country_rows.origin_iso3 = 'total')
        or country_rows.source = country_totals.total_source
    group by
        memberships.region_type, memberships.region, country_rows.year, country_rows.citizenship,
        country_rows.origin_iso3
),

areas as (
    select * from country_rows
    union all
    select * from region_rows
),

with_total as (
    select
        areas.*,
        max(case when citizenship = 'total' and origin_iso3 = 'total' then value end)
            over (partition by area_type, area, year) as area_total,
        max(case when citizenship = 'total' and origin_iso3 = 'total' then source end)
            over (partition by area_type, area, year) as area_total_source
    from areas
),

final as (
    select
        area_type,
        area,
        cast(year as integer) as year,
        citizenship,
        origin_iso3,
        case
            when citizenship = 'total' then 'total'
            when citizenship = 'nationals' or origin_iso3 = country_iso3 then 'domestic'
            when citizenship = 'foreign' then 'foreign'
            else 'unknown'
        end as flow_type,
        cast(value as bigint) as victims_count,
        cast(value_lower as bigint) as value_lower,
        cast(value_upper as bigint) as value_upper,
        -- A country's share divides counts of one source only (preferred cells may differ by source).
        case
            when value is not null and (area_type <> 'country' or source = area_total_source)
                then round(100 * {{ safe_divide('value', 'area_total') }}, 2)
        end as share_of_detected_pct,
        obs_status,
        case when suppression = 'secondary' and conf_status is null then 'S' else conf_status end as conf_status,
        suppression,
        cast(countries_reporting as integer) as countries_reporting,
        'Victims by citizenship where detected; domestic = nationals of the detecting country. '
        || 'Origin countries are listed only where a source reports them. Detected victims '
        || 'reflect detection capacity, not prevalence.' as comparability_note
    from with_total
)

select * from final
