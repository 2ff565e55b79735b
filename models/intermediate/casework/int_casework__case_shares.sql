{#- Shares of case-level cases with each modus operandi, by country-year and UNODC region-year,
    with the suppression reason of each row. Topics: recruitment (agency involved, fees charged,
    fraudulent job offer, transnational: numerator = yes, denominator = cases where it is known),
    means_of_control and recruitment_method (numerator = cases with that category, denominator =
    cases where any category is known). A region row is suppressed as 'primary' by its own counts,
    or as 'secondary' when the countries suppressed inside it add up to a small group, which could
    otherwise be recovered as the region minus the published countries. -#}
with cases as (
    select * from {{ ref('stg_casework__cases') }}
),

means as (
    select * from {{ ref('stg_casework__case_list_values') }}
    where attribute = 'means_of_control'
),

memberships as (
    select * from {{ ref('int_region_memberships') }}
    where region_type = 'unodc_region'
),

case_totals as (
    select
        country_iso3,
        year,
        count(distinct case_pseudonym) as cases_total_count
    from cases
    group by country_iso3, year
),

recruitment_answers as (
    select
        country_iso3,
        year,
        case_pseudonym,
        'recruitment_agency_involved' as category,
        recruitment_agency_involved as has_it
    from cases
    union all
    select
        country_iso3,
        year,
        case_pseudonym,
        'recruitment_fees_charged' as category,
        recruitment_fees_charged as has_it
    from cases
    union all
    select
        country_iso3,
        year,
        case_pseudonym,
        'fraudulent_job_offer' as category,
        fraudulent_job_offer as has_it
    from cases
    union all
    select
        country_iso3,
        year,
        case_pseudonym,
        'transnational' as category,
        case transnational_code when 'transnational' then true when 'domestic' then false end as has_it
    from cases
),

recruitment as (
    select
        'recruitment' as topic,
        country_iso3,
        year,
        category,
        count(distinct case when has_it then case_pseudonym end) as cases_with_count,
        count(distinct case when has_it is not null then case_pseudonym end) as cases_known_count
    from recruitment_answers
    group by country_iso3, year, category
),

means_known as (
    select
        country_iso3,
        year,
        count(distinct case_pseudonym) as cases_known_count
    from means
    group by country_iso3, year
),

means_of_control as (
    select
        'means_of_control' as topic,
        means.country_iso3,
        means.year,
        means.value_code as category,
        count(distinct means.case_pseudonym) as cases_with_count,
        max(means_known.cases_known_count) as cases_known_count
    from means
    inner join means_known
        on means.country_iso3 = means_known.country_iso3 and means.year = means_known.year
    group by means.country_iso3, means.year, means.value_code
),

method_known as (
    select
        country_iso3,
        year,
        count(distinct case_pseudonym) as cases_known_count
    from cases
    where recruitment_method_code is not null
    group by country_iso3, year
),

recruitment_method as (
    select
        'recruitment_method' as topic,
        cases.country_iso3,
        cases.year,
        cases.recruitment_method_code as category,
        count(distinct cases.case_pseudonym) as cases_with_count,
        max(method_known.cases_known_count) as cases_known_count
    from cases
    inner join method_known
        on cases.country_iso3 = method_known.country_iso3 and cases.year = method_known.year
    where cases.recruitment_method_code is not null
    group by cases.country_iso3, cases.year, cases.recruitment_method_code
),

by_country as (
    select
        shares.*,
        case_totals.cases_total_count,
        {{ share_suppression_reason('shares.cases_with_count', 'shares.cases_known_count') }} as suppression
    from (
        select * from recruitment
        union all
        select * from means_of_control
        union all
        select * from recruitment_method
    ) as shares
    inner join case_totals
        on shares.country_iso3 = case_totals.country_iso3 and shares.year = case_totals.year
),

country_topics as (
    -- Each country's denominators per topic: a country that reported the topic but not a category
    -- counts in the region's denominator for that category too (with 0 cases).
    select
        topic,
        country_iso3,
        year,
        max(cases_known_count) as topic_known_count,
        max(cases_total_count) as cases_total_count
    from by_country
    group by topic, country_iso3, year
),

region_grid as (
    select distinct
        by_country.topic,
        by_country.category,
        memberships.region,
        by_country.year
    from by_country
    inner join memberships on by_country.country_iso3 = memberships.country_iso3
),

region_cells as (
    select
        region_grid.topic,
        region_grid.category,
        region_grid.region,
        region_grid.year,
        country_topics.country_iso3,
        coalesce(by_country.cases_with_count, 0) as cases_with_count,
        coalesce(by_country.cases_known_count, country_topics.topic_known_count) as cases_known_count,
        country_topics.cases_total_count,
        by_country.suppression
    from region_grid
    inner join memberships on region_grid.region = memberships.region
    inner join country_topics
        on
            memberships.country_iso3 = country_topics.country_iso3
            and region_grid.topic = country_topics.topic
            and region_grid.year = country_topics.year
    left join by_country
        on
            country_topics.country_iso3 = by_country.country_iso3
            and region_grid.topic = by_country.topic
            and region_grid.category = by_country.category
            and region_grid.year = by_country.year
),

by_region as (
    select
        topic,
        region,
        year,
        category,
        sum(cases_with_count) as cases_with_count,
        sum(cases_known_count) as cases_known_count,
        sum(cases_total_count) as cases_total_count,
        count(distinct country_iso3) as countries_reporting,
        sum(case when suppression is not null then cases_with_count else 0 end) as suppressed_with_count,
        sum(case when suppression is not null then cases_known_count else 0 end) as suppressed_known_count
    from region_cells
    group by topic, region, year, category
),

final as (
    select
        'country' as area_type,
        country_iso3 as area,
        year,
        topic,
        category,
        cases_with_count,
        cases_known_count,
        cases_total_count,
        1 as countries_reporting,
        suppression
    from by_country
    union all
    select
        'unodc_region' as area_type,
        region as area,
        year,
        topic,
        category,
        cases_with_count,
        cases_known_count,
        cases_total_count,
        countries_reporting,
        coalesce(
            {{ share_suppression_reason('cases_with_count', 'cases_known_count') }},
            case
                when
                    {{ small_count('suppressed_with_count') }}
                    or {{ small_count('suppressed_known_count') }}
                    or {{ small_count('(suppressed_known_count - suppressed_with_count)') }}
                    then 'secondary'
            end
        ) as suppression
    from by_region
)

select * from final
