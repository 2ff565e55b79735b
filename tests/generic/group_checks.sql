{#- Checks of groups of cells: along each breakdown dimension in `dims`, the rows that share every
    other column of `keys` form a group, the dimension's total (code 'total') and its parts. Each
    macro returns one row per failing group, in one shape: dimension, group_key (the other keys'
    values, as text), detail (what is wrong, as text), failing_rows (cells in the group). The
    generic tests of the same names run them alone; `column_checks` runs them as arguments, in its
    one query (one dbt node per model). Portable SQL. -#}

{#- The text of a group's key: its columns' values, ', '-separated. -#}
{% macro group_key_text(columns, alias=none) -%}
    {%- set texts = [] -%}
    {%- for c in columns -%}
        {%- do texts.append("coalesce(cast(" ~ ((alias ~ '.') if alias else '') ~ c ~ " as varchar), '<null>')") -%}
    {%- endfor -%}
    {{ texts | join(" || ', ' || ") }}
{%- endmacro %}

{#- Secondary suppression is complete: no group has exactly one withheld cell, or withheld cells
    that all carry published bounds (primary 1..k-1, or "<5" at source) while every other cell is
    known: total minus the parts would pin them, or the parts would give a withheld total (see macro
    secondary_suppression). Withheld = suppressed here or at source (macro is_hidden); unbounded =
    suppression secondary or source_confidential. -#}
{% macro exposed_suppression_groups(model, keys, dims, value='value', value_upper='value_upper', suppression='suppression') %}
{%- set hidden = is_hidden(value, value_upper, suppression) %}
{% for d in dims %}
    {%- set others = keys | reject('equalto', d) | list %}
    select
        '{{ d }}' as dimension,
        {{ group_key_text(others) }} as group_key,
        cast(sum(case when {{ hidden }} then 1 else 0 end) as varchar) || ' withheld of '
            || cast(count(*) as varchar) || ' cells, recoverable from the others' as detail,
        count(*) as failing_rows
    from {{ model }}
    group by {{ others | join(', ') }}
    having
        sum(case when {{ d }} = 'total' then 1 else 0 end) > 0
        and sum(case when {{ d }} <> 'total' then 1 else 0 end) > 0
        and (
            -- a published total pins bounded withheld parts
            sum(case when {{ d }} = 'total' and not {{ hidden }} then 1 else 0 end) > 0
            -- or the total is the only withheld cell and its parts (not all zero) add up to it
            or (
                sum(case when {{ hidden }} then 1 else 0 end) = 1
                and coalesce(sum(case when {{ d }} <> 'total' then {{ value }} end), 0) > 0
            )
        )
        and (
            sum(case when {{ hidden }} then 1 else 0 end) = 1
            or (
                sum(case when {{ hidden }} then 1 else 0 end) > 1
                and sum(case when {{ suppression }} in ('secondary', 'source_confidential') then 1 else 0 end) = 0
            )
        )
        and sum(case when not {{ hidden }} and {{ value }} is null then 1 else 0 end) = 0
    {% if not loop.last %}union all{% endif %}
{% endfor %}
{% endmacro %}

{#- Parts never exceed their total: the smallest the parts can be (value, or value_lower, or 0 when
    blank) must not exceed the largest the total can be (value or value_upper). Parts of a dimension
    in `overlapping` may overlap (a victim with several forms of exploitation counts once in each),
    so there each part is compared with the total on its own; elsewhere the parts' sum is. -#}
{% macro parts_above_total_groups(model, keys, dims, overlapping=[]) %}
{% for d in dims %}
    {%- set others = keys | reject('equalto', d) | list %}
    select
        '{{ d }}' as dimension,
        {{ group_key_text(others, 'parts') }} as group_key,
        '{{ "the largest part" if d in overlapping else "the parts" }} at least ' || cast(parts.parts_lower as varchar)
            || ' > the total at most ' || cast(totals.total_upper as varchar) as detail,
        parts.cells as failing_rows
    from (
        select
            {% for k in others %}{{ k }},{% endfor %}
            {% if d in overlapping %}max{% else %}sum{% endif %}(coalesce(value, value_lower, 0)) as parts_lower,
            count(*) + 1 as cells
        from {{ model }}
        where {{ d }} <> 'total'
        group by {{ others | join(', ') }}
    ) as parts
    inner join (
        select
            {% for k in others %}{{ k }},{% endfor %}
            coalesce(value, value_upper) as total_upper
        from {{ model }}
        where {{ d }} = 'total'
    ) as totals
        on {% for k in others %}parts.{{ k }} = totals.{{ k }}{% if not loop.last %} and {% endif %}{% endfor %}
    where parts.parts_lower > totals.total_upper
    {% if not loop.last %}union all{% endif %}
{% endfor %}
{% endmacro %}

{#- Where the source declares additivity, parts add up to their total exactly: when every part is
    marked is_additive and every value of the group is known, the sum of the parts must equal the
    total. Groups with an unknown or suppressed value are not checked (parts_above_total_groups
    checks their bounds). -#}
{% macro additive_parts_not_adding_up_groups(model, keys, dims) %}
{% for d in dims %}
    {%- set others = keys | reject('equalto', d) | list %}
    select
        '{{ d }}' as dimension,
        {{ group_key_text(others, 'parts') }} as group_key,
        'additive parts add up to ' || cast(parts.parts_sum as varchar) || ', the total is '
            || cast(totals.total_value as varchar) as detail,
        parts.cells as failing_rows
    from (
        select
            {% for k in others %}{{ k }},{% endfor %}
            sum(value) as parts_sum,
            count(*) + 1 as cells
        from {{ model }}
        where {{ d }} <> 'total'
        group by {{ others | join(', ') }}
        having
            bool_and(coalesce(is_additive, false))
            and count(*) = count(value)
    ) as parts
    inner join (
        select
            {% for k in others %}{{ k }},{% endfor %}
            value as total_value
        from {{ model }}
        where {{ d }} = 'total' and value is not null
    ) as totals
        on {% for k in others %}parts.{{ k }} = totals.{{ k }}{% if not loop.last %} and {% endif %}{% endfor %}
    where parts.parts_sum <> totals.total_value
    {% if not loop.last %}union all{% endif %}
{% endfor %}
{% endmacro %}
