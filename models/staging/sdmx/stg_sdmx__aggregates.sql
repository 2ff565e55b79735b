-- SDMX-CSV 1.0/2.0 rows of current submissions (ACTION applied by stg_registry__current_scopes),
-- with codes mapped to the standard.
with current_rows as (
    {{ current_rows(source('raw', 'aggregate_observations'), 'aggregates') }}
        and r.source_format = 'sdmx-csv'
),

{{ code_map_cte('sdmx-csv') }},

final as (
    select
        {{ mapped_aggregate_columns('r') }}
    from current_rows as r
    {{ join_aggregate_codes('r') }}
)

select * from final
