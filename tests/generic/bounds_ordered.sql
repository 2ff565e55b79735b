{#- value_lower <= value <= value_upper wherever they are known. -#}
{% test bounds_ordered(model, lower='value_lower', value='value', upper='value_upper') %}
select * from {{ model }}
where
    {{ lower }} > {{ upper }}
    or ({{ value }} is not null and ({{ value }} < {{ lower }} or {{ value }} > {{ upper }}))
{% endtest %}
