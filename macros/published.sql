{#- A table of the published database (published.duckdb), for analyses: `tipdw analysis` runs the
    compiled SQL read-only on the publication, where marts live in schema main and code lists in
    schema reference. ref() would point at the build database instead, so analyses use this. -#}
{% macro published(name, schema='main') -%}
    {{ schema }}.{{ name }}
{%- endmacro %}
