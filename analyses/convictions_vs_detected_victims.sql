-- Persons convicted per 100 detected victims, by country and year (preferred source per cell).
with totals as (
    select
        country_iso3,
        year,
        indicator,
        value
    from {{ published('preferred_counts') }}
    where
        estimate_type = 'detected'
        and sex = 'total'
        and age_group = 'total'
        and form_of_exploitation = 'total'
        and citizenship = 'total'
        and indicator in ('detected_victims', 'persons_convicted')
),

pivoted as (
    select
        country_iso3,
        year,
        max(case when indicator = 'detected_victims' then value end) as detected_victims,
        max(case when indicator = 'persons_convicted' then value end) as persons_convicted
    from totals
    group by country_iso3, year
)

select
    country_iso3,
    year,
    detected_victims,
    persons_convicted,
    round(100.0 * persons_convicted / nullif(detected_victims, 0), 1) as convicted_per_100_victims
from pivoted
where detected_victims is not null or persons_convicted is not null
order by country_iso3, year
