-- Victim profiles: shares of women, girls, men and boys, and of the UNODC forms of exploitation,
-- per country-year and region-year. A country-year enters a profile only when it reports the full
-- breakdown with every cell published (protected counts from preferred_counts): for sex x age the
-- four cells female/male x child/adult; for forms, sexual exploitation, forced labour and at least
-- one other form, with no form withheld. Shares are of the victims in those categories (victims of
-- unknown sex, age or form are left out), so they add up to 100.
with counts as (
    select * from {{ ref('preferred_counts') }}
    where
        indicator = 'detected_victims'
        and estimate_type = 'detected'
        and citizenship = 'total'
),

forms as (
    select * from {{ ref('forms_of_exploitation') }}
),

memberships as (
    select * from {{ ref('int_region_memberships') }}
),

sex_age_cells as (
    select
        country_iso3,
        year,
        'sex_age' as profile,
        case
            when sex = 'female' and age_group = 'adult' then 'women'
            when sex = 'female' and age_group = 'child' then 'girls'
            when sex = 'male' and age_group = 'adult' then 'men'
            when sex = 'male' and age_group = 'child' then 'boys'
        end as category,
        value,
        {{ is_hidden('value', 'value_upper', 'suppression') }} as is_hidden
    from counts
    where
        form_of_exploitation = 'total'
        and sex in ('female', 'male')
        and age_group in ('child', 'adult')
),

form_cells as (
    select
        counts.country_iso3,
        counts.year,
        'form' as profile,
        forms.unodc_rollup as category,
        counts.value,
        {{ is_hidden('counts.value', 'counts.value_upper', 'counts.suppression') }} as is_hidden
    from counts
    inner join forms on counts.form_of_exploitation = forms.form_of_exploitation
    where
        counts.sex = 'total'
        and counts.age_group = 'total'
        and forms.unodc_rollup in ('sexual_exploitation', 'forced_labour', 'other_forms')
),

cells as (
    select * from sex_age_cells
    union all
    select * from form_cells
),

country_categories as (
    select
        country_iso3,
        year,
        profile,
        category,
        case when count(*) = count(value) then sum(value) end as victims,
        sum(case when is_hidden then 1 else 0 end) as hidden_cells
    from cells
    group by country_iso3, year, profile, category
),

country_check as (
    select
        country_iso3,
        year,
        profile,
        count(*) as categories_reported,
        sum(case when victims is not null and hidden_cells = 0 then 1 else 0 end) as categories_published
    from country_categories
    group by country_iso3, year, profile
),

country_rows as (
    select
        country_categories.country_iso3,
        country_categories.year,
        country_categories.profile,
        country_categories.category,
        country_categories.victims,
        country_check.categories_published = (case when country_categories.profile = 'sex_age' then 4 else 3 end)
            as has_full_breakdown
    from country_categories
    inner join country_check
        on
            country_categories.country_iso3 = country_check.country_iso3
            and country_categories.year = country_check.year
            and country_categories.profile = country_check.profile
),

areas as (
    select
        'country' as area_type,
        country_iso3 as area,
        country_iso3,
        year,
        profile,
        category,
        victims,
        has_full_breakdown
    from country_rows
    union all
    select
        memberships.region_type as area_type,
        memberships.region as area,
        country_rows.country_iso3,
        country_rows.year,
        country_rows.profile,
        country_rows.category,
        country_rows.victims,
        country_rows.has_full_breakdown
    from country_rows
    inner join memberships on country_rows.country_iso3 = memberships.country_iso3
),

summed as (
    select
        area_type,
        area,
        year,
        profile,
        category,
        sum(case when has_full_breakdown then victims end) as victims,
        count(distinct case when has_full_breakdown then country_iso3 end) as countries_with_full_breakdown,
        count(distinct country_iso3) as countries_reporting
    from areas
    group by area_type, area, year, profile, category
),

with_totals as (
    select
        summed.*,
        sum(victims) over (partition by area_type, area, year, profile) as profile_victims
    from summed
),

final as (
    select
        area_type,
        area,
        cast(year as integer) as year,
        profile,
        category,
        cast(victims as bigint) as victims_count,
        round(100 * {{ safe_divide('victims', 'profile_victims') }}, 2) as share_pct,
        cast(countries_with_full_breakdown as integer) as countries_with_full_breakdown,
        cast(countries_reporting as integer) as countries_reporting,
        case
            when countries_with_full_breakdown = 0
                then 'No share: no country here reports this breakdown in full with every cell published.'
        end as note,
        'Shares of victims of known ' || case when profile = 'sex_age' then 'sex and age' else 'form' end
        || ' among countries reporting the full breakdown only. Detected victims reflect detection '
        || 'capacity, not prevalence.' as comparability_note
    from with_totals
)

select * from final
