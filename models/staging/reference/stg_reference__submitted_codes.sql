{#- Every code of a current submission, as submitted: one row per submitted row and coded dimension
    (aggregate and population rows of every format). Feeds unmapped_codes, which lists the codes
    that have no crosswalk row. Null codes are left to each reader (a blank breakdown is its total). -#}
{% set coded = [
    ('aggregate_observations', 'aggregates', 'sheet', [('indicator', 'indicator_code'), ('sex', 'sex_code'),
        ('age_group', 'age_code'), ('form_of_exploitation', 'form_code'),
        ('citizenship', 'citizenship_code'), ('unit', 'unit_code')]),
    ('population', 'population', 'null', [('sex', 'sex_code'), ('age_group', 'age_code')]),
] %}

with
{% for table, dataset, sheet, columns in coded %}
    current_{{ table }} as (
        {{ current_rows(source('raw', table), dataset) }}
    ),
{% endfor %}

final as (
    {% for table, dataset, sheet, columns in coded %}
        {% set outer = loop %}
        {% for dimension, column in columns %}
            select
                '{{ dataset }}' as dataset,
                submission_id,
                source,
                source_format,
                cast({{ sheet }} as {{ dbt.type_string() }}) as sheet,
                row_number,
                year,
                '{{ dimension }}' as dimension,
                {{ column }} as source_code,
                {{ code_key(column) }} as source_key
            from current_{{ table }}
            where {{ column }} is not null
            {% if not (outer.last and loop.last) %}union all{% endif %}
        {% endfor %}
    {% endfor %}
)

select * from final
