{#- The moment the warehouse is reproduced at: var('as_of') (ISO 8601), or the far future for "now". -#}
{% macro as_of_timestamp() -%}
    {%- if var('as_of', '') | trim -%}
        cast('{{ var("as_of") | trim }}' as timestamp)
    {%- else -%}
        cast('9999-12-31 00:00:00' as timestamp)
    {%- endif -%}
{%- endmacro %}

{#- Rows whose submission is current for their scope (country, year, dataset), with the
    submission's source label. -#}
{% macro current_rows(relation, dataset, alias='r') -%}
    select
        {{ alias }}.*,
        cs.source
    from {{ relation }} as {{ alias }}
    inner join {{ ref('stg_registry__current_scopes') }} as cs
        on
            {{ alias }}.submission_id = cs.submission_id
            and {{ alias }}.country_iso3 = cs.country_iso3
            and {{ alias }}.year = cs.year
            and cs.dataset = '{{ dataset }}'
{%- endmacro %}

{#- Case-level victim cells (int_casework__victim_cells) of the submissions current for their
    scope, as `cells` joined to `current_scopes` (select the columns you need from either). -#}
{% macro current_victim_cells() -%}
    {{ ref('int_casework__victim_cells') }} as cells
    inner join {{ ref('stg_registry__current_scopes') }} as current_scopes
        on
            cells.submission_id = current_scopes.submission_id
            and cells.country_iso3 = current_scopes.country_iso3
            and cells.year = current_scopes.year
            and current_scopes.dataset = 'victims'
{%- endmacro %}
