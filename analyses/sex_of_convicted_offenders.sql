-- Persons convicted of trafficking by sex, by UNODC region and year, with the female share.
with convicted as (
    select
        region,
        year,
        sex,
        value,
        countries_reporting
    from {{ published('regional_aggregates') }}
    where
        region_type = 'unodc_region'
        and indicator = 'persons_convicted'
        and age_group = 'total'
        and form_of_exploitation = 'total'
        and citizenship = 'total'
),

pivoted as (
    select
        region,
        year,
        max(case when sex = 'female' then value end) as female_convicted,
        max(case when sex = 'male' then value end) as male_convicted,
        max(case when sex = 'total' then value end) as total_convicted,
        max(case when sex = 'total' then countries_reporting end) as countries_reporting
    from convicted
    group by region, year
)

select
    region,
    year,
    female_convicted,
    male_convicted,
    total_convicted,
    round(100.0 * female_convicted / nullif(female_convicted + male_convicted, 0), 1) as female_share_pct,
    countries_reporting
from pivoted
order by region, year
