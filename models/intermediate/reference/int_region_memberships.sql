-- One row per country and region it belongs to: world, M49 region, M49 sub-region and UNODC region.
with countries as (
    select * from {{ ref('countries') }}
),

unodc as (
    select * from {{ ref('unodc_regions') }}
),

memberships as (
    select
        iso3 as country_iso3,
        'world' as region_type,
        'World' as region
    from countries
    union all
    select
        iso3,
        'm49_region',
        m49_region_name
    from countries
    where m49_region_name is not null
    union all
    select
        iso3,
        'm49_subregion',
        m49_subregion_name
    from countries
    where m49_subregion_name is not null
    union all
    select
        iso3,
        'unodc_region',
        unodc_region
    from unodc
),

final as (
    select
        country_iso3,
        region_type,
        region,
        count(*) over (partition by region_type, region) as countries_in_region
    from memberships
)

select * from final
