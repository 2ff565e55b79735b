-- Detected victims by UNODC region and year, with the coverage of each figure.
select
    region,
    year,
    value as detected_victims,
    value_lower,
    value_upper,
    countries_reporting,
    countries_in_region,
    round(population_covered_pct, 1) as population_covered_pct
from {{ published('regional_aggregates') }}
where
    region_type = 'unodc_region'
    and indicator = 'detected_victims'
    and sex = 'total'
    and age_group = 'total'
    and form_of_exploitation = 'total'
    and citizenship = 'total'
order by region, year
