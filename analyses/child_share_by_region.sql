-- Share of children (0-17) among detected victims of known age, by UNODC region and year.
with victims as (
    select
        region,
        year,
        age_group,
        value,
        countries_reporting
    from {{ published('regional_aggregates') }}
    where
        region_type = 'unodc_region'
        and indicator = 'detected_victims'
        and sex = 'total'
        and form_of_exploitation = 'total'
        and citizenship = 'total'
),

pivoted as (
    select
        region,
        year,
        max(case when age_group = 'child' then value end) as children,
        max(case when age_group = 'adult' then value end) as adults,
        max(case when age_group = 'total' then value end) as total_victims,
        max(case when age_group = 'total' then countries_reporting end) as countries_reporting
    from victims
    group by region, year
)

select
    region,
    year,
    children,
    adults,
    total_victims,
    round(100.0 * children / nullif(children + adults, 0), 1) as child_share_pct,
    countries_reporting
from pivoted
order by region, year
