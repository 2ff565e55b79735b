{#- The crosswalk. Seed rows come through stg_reference__code_map with a lookup key (lower case,
    trimmed) and a priority: 1 a format's own crosswalk row, 2 a crosswalk row for every format
    ('*'), 3 an age band (seed age_bands). For one code, the lowest priority number wins; a code
    with no row at all is unmapped (staging turns it into 'unknown'; model unmapped_codes lists it). -#}

{#- A CTE named `code_map` with one standard code per (dimension, source_key) for one format. -#}
{% macro code_map_cte(source_format) -%}
    code_map_ranked as (
        select
            dimension,
            source_key,
            standard_code,
            row_number() over (
                partition by dimension, source_key
                order by priority
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

{#- The lookup key of a submitted code: case and surrounding spaces do not matter. -#}
{% macro code_key(column) -%}
    lower(trim({{ column }}))
{%- endmacro %}

{#- Join `code_map` for one dimension; the mapped code is <alias>.standard_code. -#}
{#- `keyed`: the column already holds lookup keys (lower case, trimmed), so the join hashes the
    stored strings instead of computing a key per row. -#}
{% macro join_code(dimension, column, alias, keyed=false) -%}
    left join code_map as {{ alias }}
        on {{ alias }}.dimension = '{{ dimension }}'
        and {{ alias }}.source_key = {% if keyed %}{{ column }}{% else %}{{ code_key(column) }}{% endif %}
{%- endmacro %}

{#- The crosswalk format (code_crosswalk.source_format) that maps the codes of a raw row of an
    aggregate format: the reader's source_format, except that every mapping file
    ('mapping:<name>') shares the rows of 'mapping'. Population rows use 'population' and
    case-level rows 'casework' (see their staging models). -#}
{% macro crosswalk_format(source_format) -%}
    case when {{ source_format }} like 'mapping:%' then 'mapping' else {{ source_format }} end
{%- endmacro %}
