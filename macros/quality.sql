{#- Quality checks: a readable label for a record, for the `failure` text of consistency tests.
    `columns` are concatenated with spaces, nulls shown as '?'. Portable SQL (|| and cast). -#}
{% macro record_label(columns, alias=none) -%}
    {%- for c in columns -%}
        coalesce(cast({% if alias %}{{ alias }}.{% endif %}{{ c }} as varchar), '?')
        {%- if not loop.last %} || ' ' || {% endif -%}
    {%- endfor -%}
{%- endmacro %}
