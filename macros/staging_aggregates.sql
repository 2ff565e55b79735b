{#- The columns of an aggregate staging model: the raw row with every code mapped to the standard
    through `code_map` (macros/code_map.sql). An unmapped breakdown code becomes 'unknown'; an
    unmapped indicator stays null, so the row never reaches the standard grain. Use with
    `join_aggregate_codes` in the FROM clause. -#}
{% macro mapped_aggregate_columns(alias='r') -%}
    {{ alias }}.submission_id,
    {{ alias }}.source,
    {{ alias }}.source_format,
    {{ alias }}.row_number,
    {{ alias }}.country_iso3,
    {{ alias }}.year,
    {{ alias }}.indicator_code,
    ind.standard_code as indicator,
    {{ alias }}.sex_code,
    coalesce(sx.standard_code, 'unknown') as sex,
    {{ alias }}.age_code,
    coalesce(ag.standard_code, 'unknown') as age_group,
    {{ alias }}.form_code,
    coalesce(fm.standard_code, 'unknown') as form_of_exploitation,
    {{ alias }}.citizenship_code,
    coalesce(ct.standard_code, 'unknown') as citizenship,
    {{ alias }}.citizenship_iso3,
    {{ alias }}.unit_code,
    coalesce(un.standard_code, 'persons') as unit,
    {{ alias }}.value,
    {{ alias }}.value_lower,
    {{ alias }}.value_upper,
    {{ alias }}.obs_status,
    {{ alias }}.conf_status,
    {{ alias }}.estimate_type,
    {{ alias }}.is_additive,
    {{ alias }}.note
{%- endmacro %}

{#- The joins to `code_map` that `mapped_aggregate_columns` reads. -#}
{% macro join_aggregate_codes(alias='r') -%}
    {{ join_code('indicator', alias ~ '.indicator_code', 'ind') }}
    {{ join_code('sex', alias ~ '.sex_code', 'sx') }}
    {{ join_code('age_group', alias ~ '.age_code', 'ag') }}
    {{ join_code('form_of_exploitation', alias ~ '.form_code', 'fm') }}
    {{ join_code('citizenship', alias ~ '.citizenship_code', 'ct') }}
    {{ join_code('unit', alias ~ '.unit_code', 'un') }}
{%- endmacro %}
