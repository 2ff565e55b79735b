-- Trends per country and region: year-over-year change and 3-year moving average of each
-- indicator's total (all breakdowns 'total', detected figures), from the published (protected)
-- values of preferred_counts and regional_aggregates; a change or average that would use a withheld
-- value is null. Series breaks are flagged: an observation status containing 'b' (break in series)
-- or a submission whose definition of victim or counting unit differs from the previous year's.
-- A region has a break when any of its countries has one.
with country_values as (
    select
        country_iso3,
        year,
        indicator,
        value,
        suppression,
        obs_status,
        submission_id
    from {{ ref('preferred_counts') }}
    where
        estimate_type = 'detected'
        and sex = 'total'
        and age_group = 'total'
        and form_of_exploitation = 'total'
        and citizenship = 'total'
),

submissions as (
    select * from {{ ref('stg_registry__submissions') }}
),

country_meta as (
    select
        country_values.*,
        submissions.definition_of_victim,
        submissions.counting_unit
    from country_values
    left join submissions on country_values.submission_id = submissions.submission_id
),

country_breaks as (
    select
        cur.country_iso3,
        cur.year,
        cur.indicator,
        cur.value,
        cur.suppression,
        case
            when lower(coalesce(cur.obs_status, '')) like '%b%' then 'break in series flagged by the source'
            when prev.year is not null
                and (
                    coalesce(cur.definition_of_victim, '') <> coalesce(prev.definition_of_victim, '')
                    or coalesce(cur.counting_unit, '') <> coalesce(prev.counting_unit, '')
                )
                then 'definition of victim or counting unit changed from the previous year'
        end as series_break_reason
    from country_meta as cur
    left join country_meta as prev
        on
            cur.country_iso3 = prev.country_iso3
            and cur.indicator = prev.indicator
            and cur.year = prev.year + 1
),

memberships as (
    select * from {{ ref('int_region_memberships') }}
),

region_breaks as (
    select
        memberships.region_type,
        memberships.region,
        country_breaks.year,
        country_breaks.indicator,
        min(country_breaks.country_iso3 || ': ' || country_breaks.series_break_reason) as series_break_reason
    from country_breaks
    inner join memberships on country_breaks.country_iso3 = memberships.country_iso3
    where country_breaks.series_break_reason is not null
    group by memberships.region_type, memberships.region, country_breaks.year, country_breaks.indicator
),

region_values as (
    select
        regional.region_type,
        regional.region,
        regional.year,
        regional.indicator,
        regional.value,
        regional.suppression,
        region_breaks.series_break_reason
    from {{ ref('regional_aggregates') }} as regional
    left join region_breaks
        on
            regional.region_type = region_breaks.region_type
            and regional.region = region_breaks.region
            and regional.year = region_breaks.year
            and regional.indicator = region_breaks.indicator
    where
        regional.sex = 'total'
        and regional.age_group = 'total'
        and regional.form_of_exploitation = 'total'
        and regional.citizenship = 'total'
),

series as (
    select
        'country' as area_type,
        country_iso3 as area,
        year,
        indicator,
        value,
        suppression,
        series_break_reason
    from country_breaks
    union all
    select
        region_type,
        region,
        year,
        indicator,
        value,
        suppression,
        series_break_reason
    from region_values
),

windowed as (
    select
        cur.*,
        prev1.value as previous_value,
        prev2.value as value_two_years_before
    from series as cur
    left join series as prev1
        on
            cur.area_type = prev1.area_type
            and cur.area = prev1.area
            and cur.indicator = prev1.indicator
            and cur.year = prev1.year + 1
    left join series as prev2
        on
            cur.area_type = prev2.area_type
            and cur.area = prev2.area
            and cur.indicator = prev2.indicator
            and cur.year = prev2.year + 2
),

final as (
    select
        area_type,
        area,
        indicator,
        cast(year as integer) as year,
        cast(value as bigint) as value,
        cast(previous_value as bigint) as previous_value,
        cast(value - previous_value as bigint) as yoy_change_count,
        round(100 * {{ safe_divide('value - previous_value', 'previous_value') }}, 2) as yoy_change_pct,
        case
            when value is not null and previous_value is not null and value_two_years_before is not null
                then round(cast(value + previous_value + value_two_years_before as double precision) / 3, 2)
        end as moving_avg_3y,
        suppression,
        series_break_reason is not null as is_series_break,
        series_break_reason,
        'Changes in detected figures reflect detection capacity and reporting as much as trafficking. '
        || 'Compare across a flagged series break with care.' as comparability_note
    from windowed
)

select * from final
