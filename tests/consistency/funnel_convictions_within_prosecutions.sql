{{ config(severity='warn', store_failures=true, schema='quality') }}
{{ test_funnel_ordered(
    model=ref('preferred_counts'),
    earlier='persons_prosecuted',
    later='persons_convicted',
    keys=['country_iso3', 'year', 'sex', 'age_group', 'form_of_exploitation', 'citizenship', 'estimate_type'],
) }}
