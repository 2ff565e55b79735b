-- Eurostat crim_thb_* TSV cells of current submissions; leg_stat, citizen, sex, age and unit codes
-- mapped to the standard by crosswalk rows (source_format eurostat-tsv).
with current_rows as (
    {{ current_rows(source('raw', 'aggregate_observations'), 'aggregates') }}
        and r.source_format = 'eurostat-tsv'
),

{{ code_map_cte('eurostat-tsv') }},

final as (
    select
        {{ mapped_aggregate_columns('r') }}
    from current_rows as r
    {{ join_aggregate_codes('r') }}
)

select * from final
