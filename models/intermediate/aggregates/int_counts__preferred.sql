-- One row per cell across sources: the source with the best precedence (seed source_precedence)
-- wins; a source is ranked by its precedence, never by its value. Sources without a precedence
-- row rank last (99). Detected and estimated figures are separate cells and never compete or add up.
with counts as (
    select * from {{ ref('int_counts__comparable') }}
    {{ changed_scopes_filter(ref('int_counts__comparable')) }}
),

precedence as (
    select * from {{ ref('source_precedence') }}
),

ranked as (
    select
        counts.*,
        coalesce(precedence.precedence, 99) as precedence,
        count(*) over (
            partition by
                counts.country_iso3, counts.year, counts.indicator, counts.sex, counts.age_group,
                counts.form_of_exploitation, counts.citizenship, counts.estimate_type
        ) as sources_available,
        row_number() over (
            partition by
                counts.country_iso3, counts.year, counts.indicator, counts.sex, counts.age_group,
                counts.form_of_exploitation, counts.citizenship, counts.estimate_type
            order by coalesce(precedence.precedence, 99), counts.is_derived, counts.source
        ) as rank_in_cell
    from counts
    left join precedence on counts.source = precedence.source
),

final as (
    select * from ranked
    where rank_in_cell = 1
)

select * from final
