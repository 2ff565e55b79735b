-- Open SDG national reporting rows of current submissions. The series code is both the indicator
-- and the form code (VC_HTF_DETVFL -> detected_victims, forced_labour), mapped by crosswalk rows.
with current_rows as (
    {{ current_rows(source('raw', 'aggregate_observations'), 'aggregates') }}
        and r.source_format = 'open-sdg'
),

{{ code_map_cte('open-sdg') }},

final as (
    select
        {{ mapped_aggregate_columns('r') }}
    from current_rows as r
    {{ join_aggregate_codes('r') }}
)

select * from final
