-- Modus operandi of case-level cases: the share of cases with each means of control and each
-- recruitment method, by country-year and UNODC region-year. A case may have several means of
-- control, so shares of means may add up to more than 100. Small groups are suppressed.
with shares as (
    select * from {{ ref('int_casework__case_shares') }}
    where topic in ('means_of_control', 'recruitment_method')
),

final as (
    select
        area_type,
        area,
        cast(year as integer) as year,
        topic,
        category,
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
