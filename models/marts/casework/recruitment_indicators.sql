-- Share of case-level cases with recruitment-agency involvement, with recruitment fees charged,
-- with a fraudulent job offer, and transnational, by country-year and UNODC region-year.
-- Shares and counts of groups of 1 to k-1 cases are suppressed (macros/disclosure_shares.sql).
with shares as (
    select * from {{ ref('int_casework__case_shares') }}
    where topic = 'recruitment'
),

final as (
    select
        area_type,
        area,
        cast(year as integer) as year,
        category as indicator,
        cast(case when suppression is null then cases_with_count end as bigint) as cases_with_count,
        cast(case when suppression is null then cases_known_count end as bigint) as cases_known_count,
        cast(case when not {{ small_count('cases_total_count') }} then cases_total_count end as bigint)
            as cases_total_count,
        cast({{ protected_share_pct('cases_with_count', 'cases_known_count', 'suppression') }} as double)
            as share_pct,
        cast(countries_reporting as integer) as countries_reporting,
        suppression
    from shares
)

select * from final
