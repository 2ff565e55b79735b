-- The crosswalk seed with a normalised lookup key (lower case, trimmed).
with crosswalk as (
    select * from {{ ref('code_crosswalk') }}
),

final as (
    select
        source_format,
        dimension,
        source_code,
        lower(trim(source_code)) as source_key,
        standard_code,
        comment
    from crosswalk
)

select * from final
