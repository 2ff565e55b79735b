with source as (
    select * from {{ source('raw', 'submissions') }}
),

final as (
    select
        submission_id,
        received_at,
        submitter,
        source,
        format,
        file_name,
        status,
        withdrawn_at,
        rows_read,
        rows_loaded,
        countries,
        years,
        datasets,
        metadata,
        {{ json_text('metadata', 'definition_of_victim') }} as definition_of_victim,
        {{ json_text('metadata', 'counting_unit') }} as counting_unit
    from source
)

select * from final
