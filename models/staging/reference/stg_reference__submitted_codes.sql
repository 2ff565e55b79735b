{#- Every code of a current submission, as submitted: one row per submitted row (or case-level
    record) and coded dimension, with the crosswalk format that maps it (macro crosswalk_format).
    Covers aggregate rows of every format, population rows, and the codes of case-level victims and
    suspects that staging maps through the crosswalk. Feeds int_codes__unmapped. Null codes are
    left to each reader (a blank breakdown is its total; a case-level blank is unknown). -#}
{% set coded = [
    {'table': 'aggregate_observations', 'dataset': 'aggregates', 'format': crosswalk_format('source_format'),
     'sheet': 'sheet', 'row': 'row_number', 'where': 'true',
     'columns': [('indicator', 'indicator_code'), ('sex', 'sex_code'), ('age_group', 'age_code'),
                 ('form_of_exploitation', 'form_code'), ('citizenship', 'citizenship_code'), ('unit', 'unit_code')]},
    {'table': 'population', 'dataset': 'population', 'format': "'population'",
     'sheet': 'null', 'row': 'row_number', 'where': 'true',
     'columns': [('sex', 'sex_code'), ('age_group', 'age_code')]},
    {'table': 'case_victims', 'dataset': 'victims', 'format': "'casework'",
     'sheet': 'null', 'row': 'row_number', 'where': 'true',
     'columns': [('sex', 'sex_code')]},
    {'table': 'case_victims', 'dataset': 'victims', 'format': "'casework'",
     'sheet': 'null', 'row': 'row_number', 'where': 'age_years is null',
     'columns': [('age_group', 'age_band_code')]},
    {'table': 'case_suspects', 'dataset': 'suspects', 'format': "'casework'",
     'sheet': 'null', 'row': 'row_number', 'where': 'true',
     'columns': [('sex', 'sex_code')]},
    {'table': 'case_list_values', 'dataset': 'victims', 'format': "'casework'",
     'sheet': 'record_pseudonym', 'row': 'null', 'where': "dataset = 'victims' and attribute = 'form_of_exploitation'",
     'columns': [('form_of_exploitation', 'value_code')]},
] %}

with
{% for part in coded %}
    current_{{ loop.index }} as (
        {{ current_rows(source('raw', part.table), part.dataset) }}
    ),
{% endfor %}

final as (
    {% for part in coded %}
        {% set outer = loop %}
        {% for dimension, column in part.columns %}
            select
                '{{ part.dataset }}' as dataset,
                submission_id,
                source,
                {{ part.format }} as crosswalk_format,
                cast({{ part.sheet }} as {{ dbt.type_string() }}) as record_key,
                cast({{ part.row }} as bigint) as row_number,
                year,
                '{{ dimension }}' as dimension,
                {{ column }} as source_code,
                {{ code_key(column) }} as source_key
            from current_{{ outer.index }}
            where {{ column }} is not null and {{ part.where }}
            {% if not (outer.last and loop.last) %}union all{% endif %}
        {% endfor %}
    {% endfor %}
)

select * from final
