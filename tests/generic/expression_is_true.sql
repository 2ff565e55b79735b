{#- Every row satisfies `expression` (rows where it is false or null fail). The description in the
    yml says which invariant it is. -#}
{% test expression_is_true(model, expression) %}
select * from {{ model }}
where not coalesce({{ expression }}, false)
{% endtest %}
