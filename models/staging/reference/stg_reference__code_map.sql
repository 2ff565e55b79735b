-- Every code mapping with its lookup key (lower case, trimmed) and priority: 1 a format's own
-- crosswalk row, 2 a crosswalk row for every format ('*'), 3 an age band of seed age_bands (for
-- every format). The lowest priority number wins (macros/code_map.sql).
with crosswalk as (
    select * from {{ ref('code_crosswalk') }}
),

age_bands as (
    select * from {{ ref('age_bands') }}
),

crosswalk_rows as (
    select
        source_format,
        dimension,
        source_code,
        {{ code_key('source_code') }} as source_key,
        standard_code,
        case when source_format = '*' then 2 else 1 end as priority,
        comment
    from crosswalk
),

age_band_rows as (
    select
        '*' as source_format,
        'age_group' as dimension,
        band_label as source_code,
        {{ code_key('band_label') }} as source_key,
        age_group as standard_code,
        3 as priority,
        comment
    from age_bands
),

final as (
    select * from crosswalk_rows
    union all
    select * from age_band_rows
)

select * from final
