-- Detected victims by form of exploitation and UNODC region, latest year in the publication,
-- with each form's share of the victims whose form is reported.
with latest as (
    select max(year) as year
    from {{ published('regional_aggregates') }}
    where region_type = 'unodc_region' and indicator = 'detected_victims'
),

forms as (
    select
        ra.region,
        ra.year,
        ra.form_of_exploitation,
        ra.value,
        ra.countries_reporting
    from {{ published('regional_aggregates') }} as ra
    inner join latest on ra.year = latest.year
    where
        ra.region_type = 'unodc_region'
        and ra.indicator = 'detected_victims'
        and ra.sex = 'total'
        and ra.age_group = 'total'
        and ra.citizenship = 'total'
        and ra.form_of_exploitation <> 'total'
)

select
    region,
    year,
    form_of_exploitation,
    value as detected_victims,
    round(100.0 * value / nullif(sum(value) over (partition by region, year), 0), 1) as share_pct,
    countries_reporting
from forms
order by region, form_of_exploitation
