{{ config(severity='error', store_failures=true, schema='quality') }}
{{ test_population_for_rates(
    model=ref('sdg_16_2_2'),
    population=ref('int_population__preferred'),
    keys=['country_iso3', 'year', 'sex', 'age_group'],
    rate='victims_per_100k_rate',
) }}
