{#- Secondary suppression is complete: along each breakdown dimension in `dims`, with every other
    column of `keys` fixed, no group of a total and its parts has exactly one withheld cell, or
    withheld cells that all carry published bounds (primary 1..k-1, or "<5" at source) while every other cell is known: total
    minus the parts would pin them, or the parts would give a withheld total (see macro
    secondary_suppression). Withheld = suppressed here or
    at source (macro is_hidden); unbounded = suppression secondary or source_confidential. -#}
{% test no_recoverable_suppression(model, keys, dims, value='value', value_upper='value_upper', suppression='suppression') %}
{%- set hidden = is_hidden(value, value_upper, suppression) %}
{% for d in dims %}
    {%- set others = keys | reject('equalto', d) | list %}
    select
        '{{ d }}' as dimension,
        {% for c in others %}cast({{ c }} as varchar) as key_{{ loop.index }},{% endfor %}
        count(*) as cells
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
{% endtest %}
