{#- Codes of current submissions that no crosswalk row maps, per dataset, crosswalk format,
    dimension and code. Such a code is never dropped: in a breakdown the rows count as 'unknown';
    an unmapped indicator cannot be compared with anything, so its rows are held back from
    comparable_counts until the crosswalk maps it. `tipdw build` reports every row of this model;
    the published unmapped_codes shows those of aggregate and population submissions (case-level
    codes stay here: their counts are persons). Fix: add a row to seeds/code_crosswalk.csv.
    Victims' codes come from int_casework__victim_cells, which has already counted millions of
    records into a few cells per code (so they have no example row): a build after an aggregate
    submission then reads no case-level rows here. -#}
with submitted as (
    select * from {{ ref('stg_reference__submitted_codes') }}
),

current_cells as (
    select
        cells.submission_id,
        cells.country_iso3,
        cells.source,
        cells.year,
        cells.sex_code,
        cells.age_group_by_years,
        cells.age_band_code,
        cells.form_code,
        cells.victims_count
    from ({{ current_rows(ref('int_casework__victim_cells'), 'victims', 'c', with_source=false) }}) as cells
),

{# (dimension, code column, condition): the form total row (form_code null) counts each victim once. #}
{% set victim_parts = [
    ('sex', 'sex_code', 'form_code is null'),
    ('age_group', 'age_band_code', 'form_code is null and age_group_by_years is null'),
    ('form_of_exploitation', 'form_code', 'form_code is not null'),
] %}
victim_codes as (
    {% for dimension, column, condition in victim_parts %}
        select
            'victims' as dataset,
            submission_id,
            country_iso3,
            source,
            'casework' as crosswalk_format,
            cast(null as {{ dbt.type_string() }}) as record_key,
            cast(null as bigint) as row_number,
            year,
            '{{ dimension }}' as dimension,
            min({{ column }}) as source_code,
            {{ code_key(column) }} as source_key,
            sum(victims_count) as rows_carrying
        from current_cells
        where {{ column }} is not null and {{ condition }}
        group by submission_id, country_iso3, source, year, {{ code_key(column) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

all_codes as (
    select * from submitted
    union all
    select * from victim_codes
),

code_map as (
    select * from {{ ref('stg_reference__code_map') }}
),

unmapped as (
    select all_codes.*
    from all_codes
    where
        not exists (
            select 1
            from code_map
            where
                code_map.dimension = all_codes.dimension
                and code_map.source_key = all_codes.source_key
                and code_map.source_format in (all_codes.crosswalk_format, '*')
        )
),

ranked as (
    select
        unmapped.*,
        row_number() over (
            partition by dataset, crosswalk_format, dimension, source_key
            order by submission_id, row_number
        ) as rank_in_code
    from unmapped
),

summarised as (
    select
        dataset,
        crosswalk_format,
        dimension,
        source_key,
        sum(rows_carrying) as rows_affected,
        count(distinct submission_id) as submissions,
        max(case when rank_in_code = 1 then trim(source_code) end) as source_code,
        max(case when rank_in_code = 1 then submission_id end) as example_submission_id,
        max(case when rank_in_code = 1 then row_number end) as example_row_number
    from ranked
    group by dataset, crosswalk_format, dimension, source_key
),

final as (
    select
        dataset,
        crosswalk_format as source_format,
        dimension,
        source_code,
        cast(rows_affected as bigint) as rows_affected,
        cast(submissions as integer) as submissions,
        cast(example_submission_id as integer) as example_submission_id,
        cast(example_row_number as integer) as example_row_number,
        case
            when dimension = 'indicator' then 'held back from comparable_counts'
            when dimension = 'unit' then 'persons'
            else 'unknown'
        end as treated_as,
        'add a row to seeds/code_crosswalk.csv: ' || crosswalk_format || ',' || dimension || ','
        || trim(source_code) || ',<standard code>,<why>' as fix
    from summarised
)

select * from final
