-- Share of cases with recruitment-agency involvement, by country/region and year, from the
-- published table recruitment_indicators (built from case-level data). Every column of the table
-- is returned, so the analysis keeps working as the table gains breakdowns.
select *
from {{ published('recruitment_indicators') }}
order by 1, 2, 3
