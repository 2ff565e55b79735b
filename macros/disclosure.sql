{#- Disclosure control. A count of persons from 1 to k-1 (k = var('min_cell')) is suppressed
    ('primary'); a value the source marked confidential (CONF_STATUS C, N or D) is not published
    ('source_confidential'). Zero is published: it is not sensitive. -#}
{% macro suppression_reason(value, unit, conf_status) -%}
    case
        when {{ conf_status }} is not null
            and ({{ conf_status }} like '%C%' or {{ conf_status }} like '%N%' or {{ conf_status }} like '%D%')
            then 'source_confidential'
        when {{ unit }} = 'persons' and {{ value }} >= 1 and {{ value }} < {{ var('min_cell') }}
            then 'primary'
    end
{%- endmacro %}

{#- The published value of a cell given its suppression reason. -#}
{% macro protected_value(value, reason) -%}
    case when {{ reason }} is null then cast({{ value }} as bigint) end
{%- endmacro %}

{#- Bounds published for a suppressed cell: 1..k-1 for primary suppression ("<k"), none for others. -#}
{% macro protected_lower(value_lower, reason) -%}
    case
        when {{ reason }} is null then cast({{ value_lower }} as bigint)
        when {{ reason }} = 'primary' then 1
    end
{%- endmacro %}

{% macro protected_upper(value_upper, reason) -%}
    case
        when {{ reason }} is null then cast({{ value_upper }} as bigint)
        when {{ reason }} = 'primary' then {{ var('min_cell') }} - 1
    end
{%- endmacro %}

{#- A cell is hidden when its value is withheld: suppressed here (primary, secondary, source
    confidential) or suppressed at source ("<5": value unknown, bounds known). -#}
{% macro is_hidden(value, value_upper, suppression) -%}
    ({{ suppression }} is not null or ({{ value }} is null and {{ value_upper }} is not null))
{%- endmacro %}

{#- Secondary suppression, as portable SQL: a fixed number of unrolled passes (var
    'secondary_passes'). In every pass and along every breakdown dimension in `dims`, the cells that
    share all other `keys` form a group: the dimension's total (code 'total') and its parts. A group
    is exposed when exactly one cell is withheld (total minus parts gives it), or when every withheld
    cell has published bounds (primary 1..k-1, or "<5" at source 0..4): total minus the published
    parts can then pin them (two cells of at most 4 that add up to 8 are both 4). An exposed group gets
    its smallest non-zero published part withheld too (suppression 'secondary', no bounds); if no
    such part exists, its total. Zeros are never withheld. Emits CTEs named <output>__<pass>_<dim>
    ending in a CTE called `output`.

    input:   a CTE with every column in `columns`, plus `value`, `value_upper` and `suppression`
             (the primary reason, or null); `keys` must include `dims`.
    output:  the same columns plus `suppression` updated, `is_hidden` and `is_unbounded`. -#}
{% macro secondary_suppression(input, output, keys, dims, columns) -%}
    {%- set passes = var('secondary_passes') | int -%}
    {%- set carried = columns | reject('in', ['suppression']) | list -%}
    {%- set block = keys | reject('in', dims) | list -%}
    {{ output }}__flagged as (
        select
            {% for c in carried %}{{ c }},{% endfor %}
            suppression,
            {{ is_hidden('value', 'value_upper', 'suppression') }} as is_hidden,
            coalesce(suppression in ('secondary', 'source_confidential'), false) as is_unbounded
        from {{ input }}
    ),

    {#- Every group lies within one block (the keys that are not breakdown dimensions), and only a
        group holding a withheld cell can be exposed: a block with none at the start never changes,
        so the passes run on the other blocks only (about a tenth of them in the benchmark data). -#}
    {{ output }}__blocks as (
        select
            *,
            max(case when is_hidden then 1 else 0 end) over ({% if block %}partition by {{ block | join(', ') }}{% endif %}) as block_hidden
        from {{ output }}__flagged
    ),

    {{ output }}__start as (
        select {% for c in carried %}{{ c }},{% endfor %} suppression, is_hidden, is_unbounded
        from {{ output }}__blocks
        where block_hidden = 1
    ),
    {%- set ns = namespace(prev=output ~ '__start') %}
    {%- for p in range(passes) %}
        {%- for d in dims %}
            {%- set others = keys | reject('equalto', d) | list %}
            {%- set step = output ~ '__' ~ p ~ '_' ~ d %}
            {%- set is_candidate = "(" ~ d ~ " <> 'total' and not is_hidden and value > 0)" %}
    {{ step }}__ranked as (
        select
            {{ ns.prev }}.*,
            sum(case when is_hidden then 1 else 0 end) over (partition by {{ others | join(', ') }}) as group_hidden,
            sum(case when is_unbounded then 1 else 0 end) over (partition by {{ others | join(', ') }}) as group_unbounded,
            sum(case when {{ d }} = 'total' then 1 else 0 end) over (partition by {{ others | join(', ') }}) as group_totals,
            sum(case when {{ d }} <> 'total' then 1 else 0 end) over (partition by {{ others | join(', ') }}) as group_parts,
            sum(case when {{ is_candidate }} then 1 else 0 end) over (partition by {{ others | join(', ') }}) as group_candidates,
            row_number() over (
                partition by {{ others | join(', ') }}
                order by case when {{ is_candidate }} then 0 else 1 end, value, {{ d }}
            ) as candidate_rank
        from {{ ns.prev }}
    ),

    {{ step }}__marked as (
        select
            *,
            (
                not is_hidden and group_totals > 0 and group_parts > 0
                and (group_hidden = 1 or (group_hidden > 1 and group_unbounded = 0))
                and (
                    (group_candidates > 0 and candidate_rank = 1)
                    or (group_candidates = 0 and {{ d }} = 'total')
                )
            ) as is_new
        from {{ step }}__ranked
    ),

    {{ step }} as (
        select
            {% for c in carried %}{{ c }},{% endfor %}
            case when is_new then 'secondary' else suppression end as suppression,
            (is_hidden or is_new) as is_hidden,
            (is_unbounded or is_new) as is_unbounded
        from {{ step }}__marked
    ),
            {%- set ns.prev = step %}
        {%- endfor %}
    {%- endfor %}
    {{ output }} as (
        select * from {{ ns.prev }}
        union all
        select {% for c in carried %}{{ c }},{% endfor %} suppression, is_hidden, is_unbounded
        from {{ output }}__blocks
        where block_hidden = 0
    )
{%- endmacro %}

{#- The published value and its bounds for one protected cell, as three aliased columns
    (``prefix`` names them, e.g. 'old_' gives old_value, old_value_lower, old_value_upper). -#}
{% macro protected_measures(reason, prefix='', value='value', value_lower='value_lower', value_upper='value_upper') -%}
    {{ protected_value(value, reason) }} as {{ prefix }}value,
        {{ protected_lower(value_lower, reason) }} as {{ prefix }}value_lower,
        {{ protected_upper(value_upper, reason) }} as {{ prefix }}value_upper
{%- endmacro %}

{#- The SDMX CONF_STATUS published for a cell: A primary (small count), S secondary, else the
    source's own flag. -#}
{% macro protected_conf_status(conf_status, reason) -%}
    case {{ reason }} when 'primary' then 'A' when 'secondary' then 'S' else {{ conf_status }} end
{%- endmacro %}
