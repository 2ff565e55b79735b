{#- Parts never exceed their total, along each dimension of `dims` (every other column of `keys`
    fixed); parts of a dimension in `overlapping` are compared with the total one by one (macro
    parts_above_total_groups, tests/generic/group_checks.sql). A model's own tests run it as the
    `parts_within_total` argument of `column_checks`. -#}
{% test parts_within_total(model, keys, dims, overlapping=[]) %}
{{ parts_above_total_groups(model, keys, dims, overlapping) }}
{% endtest %}
