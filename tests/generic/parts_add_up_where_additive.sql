{#- Where the source declares additivity, parts add up to their total exactly. For each dimension in
    `dims`, the rows sharing every other key of `keys` form a group: the total (code 'total') and its
    parts. When every part is marked is_additive and every value of the group is known, the sum of
    the parts must equal the total. Groups with an unknown or suppressed value are not checked
    (parts_within_total checks their bounds). -#}
{% test parts_add_up_where_additive(model, keys, dims) %}
{% for d in dims %}
    {%- set others = keys | reject('equalto', d) | list %}
    select
        '{{ d }}' as dimension,
        {% for k in others %}parts.{{ k }},{% endfor %}
        parts.parts_sum,
        totals.total_value
    from (
        select
            {% for k in others %}{{ k }},{% endfor %}
            sum(value) as parts_sum
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
{% endtest %}
