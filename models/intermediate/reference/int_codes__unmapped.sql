{#- Codes of current submissions that no crosswalk row maps, per dataset, crosswalk format,
    dimension and code. Such a code is never dropped: in a breakdown the rows count as 'unknown';
    an unmapped indicator cannot be compared with anything, so its rows are held back from
    comparable_counts until the crosswalk maps it. `tipdw build` reports every row of this model;
    the published unmapped_codes shows those of aggregate and population submissions (case-level
    codes stay here: their counts are persons). Fix: add a row to seeds/code_crosswalk.csv. -#}
with submitted as (
    select * from {{ ref('stg_reference__submitted_codes') }}
),

code_map as (
    select * from {{ ref('stg_reference__code_map') }}
),

unmapped as (
    select submitted.*
    from submitted
    where
        not exists (
            select 1
            from code_map
            where
                code_map.dimension = submitted.dimension
                and code_map.source_key = submitted.source_key
                and code_map.source_format in (submitted.crosswalk_format, '*')
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
