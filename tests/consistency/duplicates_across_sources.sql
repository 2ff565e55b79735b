{{ config(severity='warn', store_failures=true, schema='quality') }}
{{ test_one_source_per_cell(
    model=ref('comparable_counts'),
    keys=['country_iso3', 'year', 'indicator', 'sex', 'age_group', 'form_of_exploitation', 'citizenship', 'estimate_type'],
) }}
