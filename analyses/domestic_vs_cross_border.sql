-- Domestic (nationals) and cross-border (foreign) detected victims by UNODC region and year.
with citizenship as (
    select
        region,
        year,
        citizenship,
        value,
        countries_reporting
    from {{ published('regional_aggregates') }}
    where
        region_type = 'unodc_region'
        and indicator = 'detected_victims'
        and sex = 'total'
        and age_group = 'total'
        and form_of_exploitation = 'total'
        and citizenship in ('nationals', 'foreign')
),

pivoted as (
    select
        region,
        year,
        max(case when citizenship = 'nationals' then value end) as domestic_victims,
        max(case when citizenship = 'foreign' then value end) as cross_border_victims,
        min(countries_reporting) as countries_reporting
    from citizenship
    group by region, year
)

select
    region,
    year,
    domestic_victims,
    cross_border_victims,
    round(
        100.0 * domestic_victims / nullif(domestic_victims + cross_border_victims, 0), 1
    ) as domestic_share_pct,
    countries_reporting
from pivoted
order by region, year
