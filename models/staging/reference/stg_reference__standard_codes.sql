-- The standard codes of every coded dimension (seeds indicators, sex, age_groups,
-- forms_of_exploitation, citizenship_groups, units), so crosswalk rows can be checked against them.
{% set code_lists = [
    ('indicator', 'indicators', 'indicator'),
    ('sex', 'sex', 'sex'),
    ('age_group', 'age_groups', 'age_group'),
    ('form_of_exploitation', 'forms_of_exploitation', 'form_of_exploitation'),
    ('citizenship', 'citizenship_groups', 'citizenship'),
    ('unit', 'units', 'unit'),
] %}

with final as (
    {% for dimension, seed, column in code_lists %}
        select
            '{{ dimension }}' as dimension,
            {{ column }} as standard_code
        from {{ ref(seed) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
