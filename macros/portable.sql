{#- Engine-specific SQL lives here, behind macros, so models run on DuckDB and on server engines. -#}

{#- Union of comma-separated flag sets, as a sorted comma-separated set ("b,u" + "p" -> "b,p,u"). -#}
{% macro agg_flag_set(column) -%}
    {{ return(adapter.dispatch('agg_flag_set')(column)) }}
{%- endmacro %}

{% macro default__agg_flag_set(column) -%}
    string_agg(distinct {{ column }}, ',' order by {{ column }})
{%- endmacro %}

{% macro duckdb__agg_flag_set(column) -%}
    nullif(array_to_string(list_sort(list_distinct(flatten(list(string_split({{ column }}, ','))))), ','), '')
{%- endmacro %}

{#- Safe division: null when the denominator is null or zero. -#}
{% macro safe_divide(numerator, denominator) -%}
    case when {{ denominator }} is null or {{ denominator }} = 0 then null
        else cast({{ numerator }} as double precision) / {{ denominator }} end
{%- endmacro %}

{#- One text field of a JSON object stored as text (e.g. raw.submissions.metadata); null when absent. -#}
{% macro json_text(column, key) -%}
    {{ return(adapter.dispatch('json_text')(column, key)) }}
{%- endmacro %}

{% macro default__json_text(column, key) -%}
    (cast({{ column }} as json) ->> '{{ key }}')
{%- endmacro %}

{% macro duckdb__json_text(column, key) -%}
    json_extract_string({{ column }}, '$.{{ key }}')
{%- endmacro %}

{#- Texts of a group joined by `separator` (a SQL string literal, e.g. "'; '") in the order of `order_by`. -#}
{% macro agg_text(expression, separator, order_by) -%}
    {{ return(adapter.dispatch('agg_text')(expression, separator, order_by)) }}
{%- endmacro %}

{% macro default__agg_text(expression, separator, order_by) -%}
    string_agg({{ expression }}, {{ separator }} order by {{ order_by }})
{%- endmacro %}

{#- One row per part of a text split on `separator` (a one-character SQL string literal, e.g. "'|'"):
    a set-returning expression for a select list. -#}
{% macro split_to_rows(text, separator) -%}
    {{ return(adapter.dispatch('split_to_rows')(text, separator)) }}
{%- endmacro %}

{% macro default__split_to_rows(text, separator) -%}
    unnest(string_to_array({{ text }}, {{ separator }}))
{%- endmacro %}

{% macro duckdb__split_to_rows(text, separator) -%}
    unnest(string_split({{ text }}, {{ separator }}))
{%- endmacro %}

{% macro spark__split_to_rows(text, separator) -%}
    explode(split({{ text }}, concat('\\', {{ separator }})))
{%- endmacro %}
