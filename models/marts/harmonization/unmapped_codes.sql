-- Codes of current aggregate and population submissions that no crosswalk row maps
-- (int_codes__unmapped; case-level codes are reported by `tipdw build` but not published).
with unmapped as (
    select * from {{ ref('int_codes__unmapped') }}
    where dataset in ('aggregates', 'population')
),

final as (
    select
        source_format,
        dimension,
        source_code,
        rows_affected,
        submissions,
        example_submission_id,
        example_row_number,
        treated_as,
        fix
    from unmapped
)

select * from final
