{#- Lean table, view and incremental materializations for DuckDB.

    dbt-duckdb's own build a relation under a temporary name, look up indexes and foreign keys in
    the catalog (three queries), rename the old relation away, rename the new one into place and
    drop the old one: seven statements and two transactions where DuckDB needs one
    `create or replace`. At 44 models that was about 2 s of every full build (see README,
    "Benchmarks"). These do only what this project uses: SQL models, pre- and post-hooks, enforced
    contracts (column types and not-null constraints, checked on the table built: see
    lean_enforce_contract; other constraints through the adapter's own `create_table_as`) and the
    append strategy. Anything else (python models, indexes, grants, other strategies) is refused
    with a message rather than silently ignored.

    The old relation is replaced within the model's transaction (`create or replace`, or for a
    table with other constraints `drop` then `create`), so a failed model leaves the previous
    relation in place.
    Views over a replaced table are not dropped: DuckDB binds views when they are queried.

    Defined in the root project for adapter 'duckdb', so dbt prefers them to the adapter's. Another
    adapter (PostgreSQL, Spark, Trino) uses its own. -#}

{% macro lean_materialization_guard(kind) %}
  {%- if model.language != 'sql' -%}
    {{ exceptions.raise_compiler_error(model.unique_id ~ ": the lean " ~ kind ~ " materialization (macros/materializations.sql) builds SQL models only") }}
  {%- endif -%}
  {%- if config.get('grants') or config.get('indexes') -%}
    {{ exceptions.raise_compiler_error(model.unique_id ~ ": grants and indexes are not supported by the lean " ~ kind ~ " materialization (macros/materializations.sql)") }}
  {%- endif -%}
{% endmacro %}

{% macro lean_replace(existing_relation, target_relation, kind) %}
  {#- the existing relation, if it is of another kind (a table that becomes a view), is dropped in
      the same transaction -#}
  {%- set contract = config.get('contract') -%}
  {%- set contracted = kind == 'table' and contract and contract.enforced -%}
  {#- a contract of column types and not-null constraints only is checked on the table built
      (lean_enforce_contract); any other goes through the adapter's create_table_as -#}
  {%- set checked_after = contracted and lean_contract_is_not_null_only() -%}
  {%- if existing_relation is not none and ((contracted and not checked_after) or existing_relation.type != target_relation.type) -%}
    {#- the drop runs in the model's transaction (dbt-duckdb's drop is not begun by itself), so a
        failed create rolls it back -#}
    {% do adapter.ensure_transaction() %}
    {% do adapter.drop_relation(existing_relation) %}
  {%- endif -%}
  {% call statement('main') -%}
    {%- if contracted and not checked_after -%}
      {{ create_table_as(False, target_relation, sql, 'sql') }}
    {%- else -%}
      create or replace {{ kind }} {{ target_relation }} as (
        {{ sql }}
      )
    {%- endif -%}
  {%- endcall %}
  {%- if checked_after -%}
    {{ lean_enforce_contract(target_relation) }}
  {%- endif -%}
{% endmacro %}

{#- Whether the model's contract constrains nothing but column types and not null. -#}
{% macro lean_contract_is_not_null_only() %}
  {%- if model['constraints'] -%}
    {{ return(false) }}
  {%- endif -%}
  {%- for column in model['columns'].values() -%}
    {%- for constraint in column['constraints'] -%}
      {%- if constraint['type'] != 'not_null' -%}
        {{ return(false) }}
      {%- endif -%}
    {%- endfor -%}
  {%- endfor -%}
  {{ return(true) }}
{% endmacro %}

{#- A contract enforced on the table just built, in the model's transaction: its columns must be the
    contract's, in the contract's order, with the contract's types (compared as dbt compares them,
    through the adapter's query schema), and its not-null columns hold no null (DuckDB checks each
    `set not null`). dbt's own enforcement plans the model's SQL twice: once with `limit 0` to read
    its column types, once to insert into a table declared with the contract's columns; for the
    large marts, planning takes 0.08-0.17 s each time. A failure raises, and the model's transaction
    with the new table is rolled back, leaving the previous table in place. -#}
{% macro lean_enforce_contract(relation) %}
  {%- set built = format_columns(get_column_schema_from_query('select * from ' ~ relation)) -%}
  {%- set declared = format_columns(get_column_schema_from_query(get_empty_schema_sql(model['columns']))) -%}
  {%- set built_list = built | map(attribute='formatted') | list -%}
  {%- set declared_list = declared | map(attribute='formatted') | list -%}
  {%- if built_list != declared_list and (built_list | sort) == (declared_list | sort) -%}
    {%- do exceptions.raise_compiler_error(
        "This model has an enforced contract that failed: its columns ("
        ~ (built | map(attribute='name') | join(', ')) ~ ") are not in the contract's order ("
        ~ (declared | map(attribute='name') | join(', ')) ~ "). Reorder the model's select.") -%}
  {%- elif built_list != declared_list -%}
    {%- do exceptions.raise_contract_error(declared, built) -%}
  {%- endif -%}
  {%- set not_null = [] -%}
  {%- for name, column in model['columns'].items() -%}
    {%- if column['constraints'] | selectattr('type', 'equalto', 'not_null') | list -%}
      {%- do not_null.append(name) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if not_null -%}
    {% call statement('contract_not_null') -%}
      {%- for name in not_null %}
      alter table {{ relation }} alter column {{ adapter.quote(name) }} set not null;
      {%- endfor %}
    {%- endcall %}
  {%- endif -%}
{% endmacro %}

{#- The body of all three: hooks around one statement, in the model's transaction. Incremental,
    append only: a full refresh (or a first build) replaces the table; otherwise the model's rows
    are inserted by column name. The project's incremental models delete the rows they recompute in
    a pre-hook (macros/changed_scopes.sql). A model that selects a column the table lacks fails
    (DuckDB: "does not have a column"); tipdw runs a full refresh whenever the project changes
    (tipdw/buildplan.py), so only a hand-run `dbt build` can meet that, and `--full-refresh` is the
    remedy the error calls for. -#}
{% macro lean_build(kind) %}
  {{ lean_materialization_guard(kind) }}
  {%- set strategy = config.get('incremental_strategy') or 'append' -%}
  {%- if kind == 'incremental' and strategy != 'append' -%}
    {{ exceptions.raise_compiler_error(model.unique_id ~ ": incremental_strategy '" ~ strategy ~ "' is not supported by the lean incremental materialization (macros/materializations.sql): use 'append' with a delete pre-hook") }}
  {%- endif -%}
  {%- if kind == 'incremental' and (config.get('on_schema_change') or 'ignore') not in ('ignore', 'fail') -%}
    {{ exceptions.raise_compiler_error(model.unique_id ~ ": on_schema_change '" ~ config.get('on_schema_change') ~ "' is not supported by the lean incremental materialization (macros/materializations.sql): use 'fail' (dbt requires it of contracted models)") }}
  {%- endif -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set relation_type = 'view' if kind == 'view' else 'table' -%}
  {%- set target_relation = this.incorporate(type=relation_type) -%}
  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}
  {%- if kind == 'incremental' and existing_relation is not none and existing_relation.type == 'table' and not should_full_refresh() -%}
    {% call statement('main') -%}
      insert into {{ target_relation }} by name (
        {{ sql }}
      )
    {%- endcall %}
  {%- else -%}
    {{ lean_replace(existing_relation, target_relation, relation_type) }}
  {%- endif -%}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {% do adapter.commit() %}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{% endmacro %}

{% materialization table, adapter='duckdb' %}
  {{ return(lean_build('table')) }}
{% endmaterialization %}

{% materialization view, adapter='duckdb' %}
  {{ return(lean_build('view')) }}
{% endmaterialization %}

{% materialization incremental, adapter='duckdb' %}
  {{ return(lean_build('incremental')) }}
{% endmaterialization %}
