{{ config(severity='warn', store_failures=true, schema='quality') }}
{{ test_year_over_year_jump(
    model=ref('preferred_counts'),
    keys=['country_iso3', 'indicator', 'sex', 'age_group', 'form_of_exploitation', 'citizenship', 'estimate_type'],
) }}
