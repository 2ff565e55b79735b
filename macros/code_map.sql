{#- A CTE named `code_map` with one standard code per (dimension, source_key) for one source
    format: the format's own crosswalk rows win over the rows shared by all formats ('*'). -#}
{% macro code_map_cte(source_format) -%}
    code_map_ranked as (
        select
            dimension,
            source_key,
            standard_code,
            row_number() over (
                partition by dimension, source_key
                order by case when source_format = '*' then 1 else 0 end
            ) as rank_in_key
        from {{ ref('stg_reference__code_map') }}
        where source_format in ('{{ source_format }}', '*')
    ),

    code_map as (
        select
            dimension,
            source_key,
            standard_code
        from code_map_ranked
        where rank_in_key = 1
    )
{%- endmacro %}

{#- Join `code_map` for one dimension; the mapped code is <alias>.standard_code. -#}
{% macro join_code(dimension, column, alias) -%}
    left join code_map as {{ alias }}
        on {{ alias }}.dimension = '{{ dimension }}' and {{ alias }}.source_key = lower(trim({{ column }}))
{%- endmacro %}
