{{ incremental_by_country_year() }}
-- SDG indicator 16.2.2: detected victims per 100,000 population, by sex, age group and form of
-- exploitation. Numerator: detected (never estimated) victims from preferred_counts, already
-- protected, so a withheld count never yields a rate. Denominator: the loaded population of the
-- same country, year, sex and age group (form does not change it).
-- Incremental: a row depends on its own country-year's victims and population only, so a build
-- after new submissions (of counts or population) recomputes just the changed country-years
-- (macros/changed_scopes.sql).
with victims as (
    select * from {{ ref('preferred_counts') }}
    where
        indicator = 'detected_victims'
        and estimate_type = 'detected'
        and citizenship = 'total' {{ changed_scopes_filter(ref('preferred_counts'), 'and') }}
),

population as (
    select * from {{ ref('int_population__preferred') }}
    {{ changed_scopes_filter(ref('int_population__preferred')) }}
),

forms as (
    select * from {{ ref('forms_of_exploitation') }}
),

joined as (
    select
        victims.*,
        population.population,
        population.population_source,
        forms.unodc_rollup
    from victims
    left join population
        on
            victims.country_iso3 = population.country_iso3
            and victims.year = population.year
            and victims.sex = population.sex
            and victims.age_group = population.age_group
    left join forms on victims.form_of_exploitation = forms.form_of_exploitation
),

final as (
    select
        country_iso3,
        year,
        sex,
        age_group,
        form_of_exploitation,
        case
            when form_of_exploitation = 'total' then 'VC_HTF_DETV'
            when form_of_exploitation = 'organ_removal' then 'VC_HTF_DETVOG'
            when unodc_rollup = 'sexual_exploitation' then 'VC_HTF_DETVSX'
            when unodc_rollup = 'forced_labour' then 'VC_HTF_DETVFL'
            when unodc_rollup = 'other_forms' then 'VC_HTF_DETVOP'
        end as sdg_series_code,
        value as detected_victims_count,
        value_lower as detected_victims_lower,
        value_upper as detected_victims_upper,
        cast(population as bigint) as population_count,
        case
            when value is not null and population > 0
                then round(100000 * {{ safe_divide('value', 'population') }}, 4)
        end as victims_per_100k_rate,
        obs_status,
        conf_status,
        suppression,
        case
            when suppression is not null then 'Rate withheld: the count is suppressed (' || suppression || ').'
            when value is null and value_upper is not null then 'Rate not computed: the count was suppressed at source (fewer than 5).'
            when value is null then 'Rate not computed: the count is unknown or not reported.'
            when population is null and (sex in ('other', 'unknown') or age_group = 'unknown')
                then 'Rate not computed: no population exists for an unknown or other sex or age group.'
            when population is null
                then 'Rate not computed: no population loaded for this country, year, sex and age group.'
            when population = 0 then 'Rate not computed: the population is zero.'
        end as note,
        population_source,
        chosen_source as victims_source,
        'Detected victims per 100,000 population reflect detection capacity, not prevalence; '
        || 'national definitions of victim differ. Population: ' || coalesce(population_source, 'none loaded')
        || '.' as comparability_note
    from joined
)

select * from final
