{#- Incremental marts: after new or withdrawn submissions, `tipdw build` recomputes only the
    country-years they touch (tipdw/buildplan.py writes them to build_meta.changed_scopes and sets
    TIPDW_REBUILD_SCOPES=changed). The models that mix every source and country (the aggregate
    intermediates, models/intermediate/aggregates, and the marts comparable_counts, preferred_counts
    and regional_aggregates; also sdg_16_2_2, one country-year's victims over its population) are
    incremental models: a pre-hook deletes the rows of the changed
    scopes and the model inserts them again, computed from up-to-date inputs read for those scopes
    only (changed_scopes_filter). This is exact because everything those models compute for a cell
    (derived totals, the choice of source, secondary suppression) stays within its country-year
    (for regions: its region-year), whose inputs are the changed rows only.
    The same setting lets the incremental int_casework__victim_cells look for uncounted scopes in the
    changed country-years only, and the tests of one country-year at a time check only those rows
    (get_where_subquery, below).
    Without that setting (a direct `dbt build`, or any build that is not a tipdw incremental one)
    the pre-hook deletes every row and the model inserts them all: a full recomputation, never stale
    rows; `tipdw build` passes --full-refresh to full builds anyway. -#}

{#- Whether tipdw runs this build for the changed scopes only (sqlfluff's templater has no env_var). -#}
{% macro changed_scopes_run() -%}
    {{ return((env_var('TIPDW_REBUILD_SCOPES', 'all') if env_var is defined else 'all') == 'changed') }}
{%- endmacro %}

{#- Whether this model recomputes only the changed scopes (never in a dbt unit test: no `this`). -#}
{% macro rebuilds_changed_scopes() -%}
    {{ return(this is not none and is_incremental() and changed_scopes_run()) }}
{%- endmacro %}

{#- The changed country-years (country_iso3, year). -#}
{% macro changed_country_years() -%}
    select
        country_iso3,
        year
    from {{ source('build_meta', 'changed_scopes') }}
{%- endmacro %}

{#- The region-years whose regional cells a change of those country-years can alter: the regions
    holding a changed country, in its changed year and, when var('coverage_years') = N carries a
    country's latest figure forward, the N years after. With N > 0 a year can also newly appear (or
    disappear) for every region, so every region is taken in those years. -#}
{% macro changed_region_years(memberships) -%}
    {%- set n = var('coverage_years') | int -%}
    select distinct
        memberships.region_type,
        memberships.region,
        changed.year + offsets.offset_years as year
    from ({{ changed_country_years() }}) as changed
    inner join {{ memberships }} as memberships
        {% if n > 0 %}on true{% else %}on changed.country_iso3 = memberships.country_iso3{% endif %}
    inner join (
        {% for k in range(n + 1) %}select {{ k }} as offset_years{% if not loop.last %} union all {% endif %}{% endfor %}
    ) as offsets on true
{%- endmacro %}

{#- A condition keeping the rows that lie in the changed scopes: `scope_sql` is a select of the
    scope columns `keys`, compared with `alias`.<key>, or with the expressions `columns` (one per key). -#}
{% macro in_changed_scopes(alias, keys, scope_sql, columns=none) -%}
    {%- set columns = columns or (keys | map('string') | list) -%}
    exists (
        select 1 from ({{ scope_sql }}) as changed_scope
        where
            {% for k in keys -%}
                changed_scope.{{ k }} = {% if alias %}{{ alias }}.{% endif %}{{ columns[loop.index0] }}
                {%- if not loop.last %} and {% endif %}
            {%- endfor %}
    )
{%- endmacro %}

{#- `where` (or `and`, after another condition) a row of `relation` lies in a changed country-year,
    when this model recomputes the changed scopes only; nothing otherwise. Each call reads the
    changed scopes (one query): a model that filters several inputs takes
    changed_scopes_condition(alias) once and aliases each input. -#}
{% macro changed_scopes_filter(relation, keyword='where') -%}
    {%- set condition = changed_scopes_condition(relation) -%}
    {%- if condition -%}
        {{ keyword }} {{ condition }}
    {%- endif -%}
{%- endmacro %}

{#- The condition of changed_scopes_filter on `alias`, or none when this model recomputes every row. -#}
{% macro changed_scopes_condition(alias) -%}
    {{ return(in_changed_country_years(alias) if rebuilds_changed_scopes() else none) }}
{%- endmacro %}

{#- Whether a row of `alias` (its country_iso3 and year) lies in a changed country-year. Written
    out as literals, read from build_meta.changed_scopes when the node runs, e.g.
    `(x.country_iso3 = 'KEN' and x.year in (2022, 2023))`: unlike a semi-join on that table, an
    engine pushes such a filter down through views into the scan of the raw tables. With more than
    `max_countries` changed countries (a large withdrawal), or at parse time, it is the semi-join. -#}
{% macro in_changed_country_years(alias, max_countries=50) -%}
    {%- set rows = [] -%}
    {%- if execute -%}
        {%- set rows = run_query(changed_country_years() ~ ' order by country_iso3, year').rows -%}
    {%- endif -%}
    {%- set countries = rows | map(attribute=0) | unique | list -%}
    {%- if not execute or countries | length > max_countries -%}
        {{ in_changed_scopes(alias, ['country_iso3', 'year'], changed_country_years()) }}
    {%- elif countries | length == 0 -%}
        1 = 0
    {%- else -%}
        (
        {%- for c in countries %}
            ({{ alias }}.country_iso3 = '{{ c | replace("'", "''") }}' and {{ alias }}.year in (
                {{- rows | selectattr(0, 'equalto', c) | map(attribute=1) | map('int') | join(', ') -}}
            )){% if not loop.last %} or{% endif %}
        {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}

{#- The configuration of a model incremental by country-year (as dbt_project.yml gives the
    aggregate intermediates): append, after the pre-hook deleted the rows it recomputes. tipdw/publish.py
    knows such a model by this pre-hook (BY_COUNTRY_YEAR_HOOK). -#}
{% macro incremental_by_country_year() -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_rows(['country_iso3', 'year'], changed_country_years()) }}"
    ) }}
{%- endmacro %}

{#- Pre-hook of an incremental mart: delete the rows the run recomputes (all of them unless
    the run rebuilds the changed scopes only). -#}
{% macro delete_rebuilt_rows(keys, scope_sql) -%}
    {{ delete_rebuilt_rows_where(in_changed_scopes(this, keys, scope_sql)) }}
{%- endmacro %}

{#- The same, for the rows of `this` that meet `condition` (columns unqualified). -#}
{% macro delete_rebuilt_rows_where(condition) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        {% if rebuilds_changed_scopes() %}where {{ condition }}{% endif %}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of data_availability (every country in every year some country reports a detected
    count in `counts`): delete the rows of the changed countries and of the years gone from `counts`. -#}
{% macro delete_rebuilt_availability_rows(counts) -%}
    {%- set condition -%}
        country_iso3 in ({{ changed_countries() }})
        or year not in (select year from {{ counts }} where estimate_type = 'detected')
    {%- endset -%}
    {{ delete_rebuilt_rows_where(condition) }}
{%- endmacro %}

{#- The countries of the changed country-years. -#}
{% macro changed_countries() -%}
    select distinct country_iso3 from {{ source('build_meta', 'changed_scopes') }}
{%- endmacro %}

{#- dbt's hook for a test's `where` config (dbt's own get_where_subquery, plus one value). A test
    with `config: {where: __changed_scopes__}` checks, in a tipdw incremental build, only the rows of
    the changed country-years (and any row without a country or year): every other row is one a
    published build already tested, and its test inputs have not changed (a changed seed or model
    makes a full build, which tests every row). In any other run it tests every row.
    It is for tests that look at one country-year at a time (a grain, a column check, suppression
    within a country-year) of models whose rows outside the changed scopes cannot change in an
    incremental build: the row-level staging models of submissions (a submission's rows all lie in
    its scopes, and so do the rows it supersedes) and the incremental marts.
    `where: __changed_region_years__` does the same for a mart of region-years recomputed by
    changed_region_years (regional_aggregates): its tests of one region-year at a time check only
    the rows of the region-years the run recomputed. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where == '__changed_scopes__' -%}
        {%- if changed_scopes_run() -%}
            {#- two selects, not one with `or`: each filter then reaches the scan of the raw
                table under a staging view (the changed scopes' literals; null keys, which column
                statistics rule out for most row groups). A row is in one of them at most. -#}
            {%- set filtered -%}
                (select * from {{ relation }} as scoped
                 where {{ in_changed_country_years('scoped') }}
                 union all
                 select * from {{ relation }} as scoped
                 where scoped.country_iso3 is null or scoped.year is null) as dbt_subquery
            {%- endset -%}
            {%- do return(filtered) -%}
        {%- endif -%}
        {%- do return(relation) -%}
    {%- elif where == '__changed_region_years__' -%}
        {%- if changed_scopes_run() -%}
            {#- the memberships model through the graph: a test's where cannot add a ref -#}
            {%- set node = graph.nodes.values() | selectattr('name', 'equalto', 'int_region_memberships') | first -%}
            {%- set memberships = api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias) -%}
            {%- set filtered -%}
                (select * from {{ relation }} as scoped
                 where {{ in_changed_scopes('scoped', ['region_type', 'region', 'year'], changed_region_years(memberships)) }}) as dbt_subquery
            {%- endset -%}
            {%- do return(filtered) -%}
        {%- endif -%}
        {%- do return(relation) -%}
    {%- elif where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) as dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
