{#- The grain test: no two rows share the same values of `columns` (nulls compare equal). -#}
{% test unique_combination(model, columns) %}
with keyed as (
    select
        {% for c in columns %}coalesce(cast({{ c }} as varchar), '<null>') as key_{{ loop.index }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from {{ model }}
)

select
    {% for c in columns %}key_{{ loop.index }}, {% endfor %}
    count(*) as rows_with_key
from keyed
group by {% for c in columns %}key_{{ loop.index }}{% if not loop.last %}, {% endif %}{% endfor %}
having count(*) > 1
{% endtest %}
