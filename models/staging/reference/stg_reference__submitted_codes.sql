{#- Every code of a current submission, as submitted: one row per submitted row (or case-level
    record) and coded dimension, with the crosswalk format that maps it (macro crosswalk_format).
    Covers aggregate rows of every format, population rows, and the codes of case-level suspects
    that staging maps through the crosswalk (victims' codes: int_codes__unmapped reads them from
    int_casework__victim_cells). Feeds int_codes__unmapped. Null codes are
    left to each reader (a blank breakdown is its total; a case-level blank is unknown).
    Case-level parts come one row per submission, year, dimension and code, with the records
    carrying it in rows_carrying and the first record's row as the example. -#}
{% set coded = [
    {'table': 'aggregate_observations', 'dataset': 'aggregates', 'format': crosswalk_format('source_format'),
     'sheet': 'sheet', 'row': 'row_number', 'where': 'true', 'grouped': false,
     'columns': [('indicator', 'indicator_code'), ('sex', 'sex_code'), ('age_group', 'age_code'),
                 ('form_of_exploitation', 'form_code'), ('citizenship', 'citizenship_code'), ('unit', 'unit_code')]},
    {'table': 'population', 'dataset': 'population', 'format': "'population'",
     'sheet': 'null', 'row': 'row_number', 'where': 'true', 'grouped': false,
     'columns': [('sex', 'sex_code'), ('age_group', 'age_code')]},
    {'table': 'case_suspects', 'dataset': 'suspects', 'format': "'casework'",
     'sheet': 'null', 'row': 'row_number', 'where': 'true', 'grouped': true,
     'columns': [('sex', 'sex_code')]}
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
                country_iso3,
                source,
                {{ part.format }} as crosswalk_format,
                cast({{ part.sheet }} as {{ dbt.type_string() }}) as record_key,
                {% if part.grouped %}
                    cast(min({{ part.row }}) as bigint) as row_number,
                {% else %}
                    cast({{ part.row }} as bigint) as row_number,
                {% endif %}
                year,
                '{{ dimension }}' as dimension,
                {% if part.grouped %}
                    min({{ column }}) as source_code,
                {% else %}
                    {{ column }} as source_code,
                {% endif %}
                {{ code_key(column) }} as source_key,
                cast({{ 'count(*)' if part.grouped else '1' }} as bigint) as rows_carrying
            from current_{{ outer.index }}
            where {{ column }} is not null and {{ part.where }}
            {% if part.grouped %}
                group by submission_id, country_iso3, source, year, {{ code_key(column) }}
            {% endif %}
            {% if not (outer.last and loop.last) %}union all{% endif %}
        {% endfor %}
    {% endfor %}
)

select * from final
