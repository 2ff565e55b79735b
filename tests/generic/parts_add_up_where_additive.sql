{#- Where the source declares additivity (is_additive), parts add up to their total exactly, along
    each dimension of `dims` (every other column of `keys` fixed; macro
    additive_parts_not_adding_up_groups, tests/generic/group_checks.sql). A model's own tests run it
    as the `parts_add_up_where_additive` argument of `column_checks`. -#}
{% test parts_add_up_where_additive(model, keys, dims) %}
{{ additive_parts_not_adding_up_groups(model, keys, dims) }}
{% endtest %}
