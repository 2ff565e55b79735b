{#- Every aggregate source's rows at the standard codes, one model per format plus the counts built
    from case-level data, with rows whose indicator is unmapped held back (unmapped_codes lists them).
    To add a format, add its model to this list. Incremental by country-year (dbt_project.yml). -#}
{% set aggregate_models = [
    'stg_template__aggregates',
    'stg_glotip__aggregates',
    'stg_sdmx__aggregates',
    'stg_open_sdg__aggregates',
    'stg_eurostat__aggregates',
    'stg_mapping__aggregates',
    'int_casework__victim_counts',
    'int_casework__suspect_counts',
] %}
{%- set scoped = changed_scopes_condition('src') %}

with unioned as (
    {% for model in aggregate_models %}
        select
            submission_id,
            source,
            country_iso3,
            year,
            indicator,
            sex,
            age_group,
            form_of_exploitation,
            citizenship,
            unit,
            estimate_type,
            value,
            value_lower,
            value_upper,
            obs_status,
            conf_status,
            is_additive
        from {{ ref(model) }} as src
        where src.indicator is not null{% if scoped %} and {{ scoped }}{% endif %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from unioned
