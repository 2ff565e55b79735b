-- Share of trafficking cases with recruitment-agency involvement, by UNODC region and country and
-- year, among cases where the answer is known (table recruitment_indicators, from case records).
select
    area_type,
    area,
    year,
    cases_with_count as cases_with_agency,
    cases_known_count,
    cases_total_count,
    share_pct as agency_share_pct,
    countries_reporting,
    suppression
from {{ published('recruitment_indicators') }}
where indicator = 'recruitment_agency_involved'
order by
    case when area_type = 'country' then 1 else 0 end,
    area,
    year
