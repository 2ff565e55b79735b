{#- Every combination of `columns` in the model exists as the combination `to_columns` in `to`
    (a relationships test over several columns, e.g. dimension + standard_code). Nulls are skipped. -#}
{% test composite_relationship(model, columns, to, to_columns) %}
select child.*
from {{ model }} as child
where
    {% for c in columns %}child.{{ c }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
    and not exists (
        select 1
        from {{ to }} as parent
        where
            {% for c in columns %}parent.{{ to_columns[loop.index0] }} = child.{{ c }}{% if not loop.last %}
            and {% endif %}{% endfor %}
    )
{% endtest %}
