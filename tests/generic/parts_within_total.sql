{#- Parts never exceed their total. For each dimension in `dims`, the rows sharing every other key
    of `keys` form a group: the total (code 'total') and its parts. The smallest the parts can be
    (value, or value_lower, or 0 when blank) must not exceed the largest the total can be (value or
    value_upper). Parts of a dimension in `overlapping` may overlap (a victim with several forms of
    exploitation counts once in each), so there each part is compared with the total on its own;
    elsewhere the parts' sum is. -#}
{% test parts_within_total(model, keys, dims, overlapping=[]) %}
{% for d in dims %}
    {%- set others = keys | reject('equalto', d) | list %}
    select
        '{{ d }}' as dimension,
        {% for k in others %}parts.{{ k }},{% endfor %}
        parts.parts_lower,
        totals.total_upper
    from (
        select
            {% for k in others %}{{ k }},{% endfor %}
            {% if d in overlapping %}max{% else %}sum{% endif %}(coalesce(value, value_lower, 0)) as parts_lower
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
{% endtest %}
