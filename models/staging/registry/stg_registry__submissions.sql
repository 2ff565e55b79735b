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
        metadata
    from source
)

select * from final
