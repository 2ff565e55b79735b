{#- The criminal-justice funnel narrows: for every record of `keys` (indicator excluded), the count of
    the `later` stage (e.g. persons_convicted) does not exceed the `earlier` one (persons_prosecuted).
    Convictions can legitimately exceed prosecutions (cases prosecuted in earlier years), so apply it
    with severity warn. Each failing row has a `failure` text naming the record and both figures. -#}
{% test funnel_ordered(model, earlier, later, keys, indicator='indicator', value='value') %}
{%- set others = keys | reject('equalto', indicator) | list %}
with earlier_stage as (
    select {{ others | join(', ') }}, {{ value }} as earlier_value
    from {{ model }}
    where {{ indicator }} = '{{ earlier }}' and {{ value }} is not null
),

later_stage as (
    select {{ others | join(', ') }}, {{ value }} as later_value
    from {{ model }}
    where {{ indicator }} = '{{ later }}' and {{ value }} is not null
),

final as (
    select
        {% for k in others %}later_stage.{{ k }},{% endfor %}
        earlier_stage.earlier_value,
        later_stage.later_value,
        {{ record_label(others, 'later_stage') }}
        || ': {{ later }} ' || cast(later_stage.later_value as varchar)
        || ' > {{ earlier }} ' || cast(earlier_stage.earlier_value as varchar) as failure
    from later_stage
    inner join earlier_stage
        on {% for k in others %}later_stage.{{ k }} = earlier_stage.{{ k }}{% if not loop.last %} and {% endif %}{% endfor %}
    where later_stage.later_value > earlier_stage.earlier_value
)

select * from final
{% endtest %}
