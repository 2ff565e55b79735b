-- Rows of national layouts read through a mapping file (source_format mapping:<name>), current
-- submissions only; codes left as the file writes them are mapped by crosswalk rows (source_format mapping).
with current_rows as (
    {{ current_rows(source('raw', 'aggregate_observations'), 'aggregates') }}
        and r.source_format like 'mapping:%'
),

{{ code_map_cte('mapping') }},

final as (
    select
        {{ mapped_aggregate_columns('r') }}
    from current_rows as r
    {{ join_aggregate_codes('r') }}
)

select * from final
