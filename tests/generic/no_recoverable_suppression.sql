{#- Secondary suppression is complete: no group of a total and its parts along a dimension of `dims`
    (every other column of `keys` fixed) lets a withheld cell be recovered from the others. One
    failing row per exposed group (macro exposed_suppression_groups, tests/generic/group_checks.sql).
    A model's own tests run it as the `no_recoverable_suppression` argument of `column_checks`. -#}
{% test no_recoverable_suppression(model, keys, dims, value='value', value_upper='value_upper', suppression='suppression') %}
{{ exposed_suppression_groups(model, keys, dims, value, value_upper, suppression) }}
{% endtest %}
