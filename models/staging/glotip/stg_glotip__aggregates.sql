-- UNODC GLOTIP bulk layout rows of current submissions, with codes mapped to the standard.
-- Repatriation rows keep an unmapped indicator (repatriated_victims:<ISO3>), so they stay out of the grain.
with current_rows as (
    {{ current_rows(source('raw', 'aggregate_observations'), 'aggregates') }}
        and r.source_format = 'unodc-glotip'
),

{{ code_map_cte('unodc-glotip') }},

final as (
    select
        {{ mapped_aggregate_columns('r') }}
    from current_rows as r
    {{ join_aggregate_codes('r') }}
)

select * from final
