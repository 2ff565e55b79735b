{#- The moment the warehouse is reproduced at: var('as_of') (ISO 8601), or the far future for "now". -#}
{% macro as_of_timestamp() -%}
    {%- if var('as_of', '') | trim -%}
        cast('{{ var("as_of") | trim }}' as timestamp)
    {%- else -%}
        cast('9999-12-31 00:00:00' as timestamp)
    {%- endif -%}
{%- endmacro %}

{#- Rows whose submission is current for their scope (country, year, dataset), with the
    submission's source label (unless the rows carry it already: with_source=false). -#}
{% macro current_rows(relation, dataset, alias='r', with_source=true) -%}
    select
        {{ alias }}.*{% if with_source %},
        cs.source{% endif %}
    from {{ relation }} as {{ alias }}
    inner join {{ ref('stg_registry__current_scopes') }} as cs
        on
            {{ alias }}.submission_id = cs.submission_id
            and {{ alias }}.country_iso3 = cs.country_iso3
            and {{ alias }}.year = cs.year
            and cs.dataset = '{{ dataset }}'
{%- endmacro %}
