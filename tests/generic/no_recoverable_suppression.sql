{#- Secondary suppression is complete: along each breakdown dimension in `dims`, with every other
    column of `keys` fixed, no group of a total and its parts has exactly one hidden cell while every
    other cell is known (then total minus parts would give it away). Hidden = suppressed here or
    suppressed at source (see macro is_hidden). A group whose hidden cell is the total and whose
    parts are all zero is inconsistent (not additive) and reveals nothing, so it passes. -#}
{% test no_recoverable_suppression(model, keys, dims, value='value', value_upper='value_upper', suppression='suppression') %}
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
        and sum(case when {{ is_hidden(value, value_upper, suppression) }} then 1 else 0 end) = 1
        and sum(case when not {{ is_hidden(value, value_upper, suppression) }} and {{ value }} is null then 1 else 0 end) = 0
        and not (
            sum(case when {{ d }} = 'total' and {{ is_hidden(value, value_upper, suppression) }} then 1 else 0 end) = 1
            and coalesce(sum(case when {{ d }} <> 'total' then {{ value }} end), 0) = 0
        )
    {% if not loop.last %}union all{% endif %}
{% endfor %}
{% endtest %}
