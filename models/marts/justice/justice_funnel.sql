-- The criminal justice funnel per country-year: persons brought into formal contact ->
-- prosecuted -> convicted, with ratios between stages. Counts are the protected totals of
-- preferred_counts (all breakdowns 'total'), so a ratio is never computed from a withheld count.
-- Stages are flagged as not comparable when one is missing or withheld, when they are counted in
-- different units, or when they come from different sources or submissions (different systems or
-- reference periods). Persons convicted in a year are not a cohort of those prosecuted that year.
with stages as (
    select * from {{ ref('preferred_counts') }}
    where
        indicator in ('persons_in_formal_contact', 'persons_prosecuted', 'persons_convicted')
        and estimate_type = 'detected'
        and sex = 'total'
        and age_group = 'total'
        and form_of_exploitation = 'total'
        and citizenship = 'total'
),

pivoted as (
    select
        country_iso3,
        year,
        max(case when indicator = 'persons_in_formal_contact' then 1 else 0 end) as has_contact,
        max(case when indicator = 'persons_prosecuted' then 1 else 0 end) as has_prosecuted,
        max(case when indicator = 'persons_convicted' then 1 else 0 end) as has_convicted,
        max(case when indicator = 'persons_in_formal_contact' then value end) as contact,
        max(case when indicator = 'persons_prosecuted' then value end) as prosecuted,
        max(case when indicator = 'persons_convicted' then value end) as convicted,
        max(case when indicator = 'persons_in_formal_contact' then suppression end) as contact_suppression,
        max(case when indicator = 'persons_prosecuted' then suppression end) as prosecuted_suppression,
        max(case when indicator = 'persons_convicted' then suppression end) as convicted_suppression,
        count(distinct unit) as units,
        min(unit) as unit,
        count(distinct chosen_source) as sources,
        count(distinct submission_id) as submissions,
        {{ agg_flag_set('obs_status') }} as obs_status
    from stages
    group by country_iso3, year
),

flagged as (
    select
        pivoted.*,
        case
            when has_contact = 0 or has_prosecuted = 0 or has_convicted = 0 then 'missing stage'
            when contact is null or prosecuted is null or convicted is null then 'stage withheld or unknown'
            when units > 1 then 'stages counted in different units'
            when sources > 1 then 'stages from different sources'
        end as not_comparable_reason
    from pivoted
),

final as (
    select
        country_iso3,
        cast(year as integer) as year,
        cast(contact as bigint) as formal_contact_count,
        cast(prosecuted as bigint) as prosecuted_count,
        cast(convicted as bigint) as convicted_count,
        contact_suppression as formal_contact_suppression,
        prosecuted_suppression,
        convicted_suppression,
        round({{ safe_divide('prosecuted', 'contact') }}, 4) as prosecuted_per_contact_ratio,
        round({{ safe_divide('convicted', 'prosecuted') }}, 4) as convicted_per_prosecuted_ratio,
        round({{ safe_divide('convicted', 'contact') }}, 4) as convicted_per_contact_ratio,
        case when units = 1 then unit end as unit,
        not_comparable_reason is null as is_comparable,
        not_comparable_reason,
        coalesce(convicted > prosecuted, false) as has_convictions_exceeding_prosecutions,
        cast(submissions as integer) as submissions_used,
        obs_status,
        'Stages are counted in the same year, not followed as a cohort: persons convicted in a year '
        || 'may have been prosecuted earlier. Ratios above 1 occur (see the warning flag). National '
        || 'definitions of each stage differ.' as comparability_note
    from flagged
)

select * from final
