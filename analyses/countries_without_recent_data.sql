-- Countries with no published detected-victims figure in the last three calendar years
-- (the three years before the current one), with the latest year they did report, if any.
with reported as (
    select
        country_iso3,
        max(year) as last_year_reported
    from {{ published('preferred_counts') }}
    where indicator = 'detected_victims' and (value is not null or value_upper is not null)
    group by country_iso3
),

countries as (
    select
        countries.iso3,
        countries.name_en,
        regions.unodc_region
    from {{ published('countries', 'reference') }} as countries
    left join {{ published('unodc_regions', 'reference') }} as regions
        on countries.iso3 = regions.iso3
)

select
    countries.unodc_region,
    countries.iso3 as country_iso3,
    countries.name_en as country_name,
    reported.last_year_reported
from countries
left join reported on countries.iso3 = reported.country_iso3
where
    reported.last_year_reported is null
    or reported.last_year_reported < extract(year from current_date) - 3
order by countries.unodc_region, countries.iso3
