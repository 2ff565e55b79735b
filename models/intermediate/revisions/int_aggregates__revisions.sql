-- Cells that changed between consecutive accepted versions of the same scope (source x country x
-- year, dataset aggregates): each 'replace' submission, in order of submission, against the one
-- before it. Withdrawn versions are skipped; var('as_of') limits the history to that moment.
-- Codes are mapped to the standard with the crosswalk (a format's own row first, then '*').
with scopes as (
    select *
    from {{ source('raw', 'submission_scopes') }}
    where
        dataset = 'aggregates'
        and action = 'replace'
        and accepted_at <= {{ as_of_timestamp() }}
        and (withdrawn_at is null or withdrawn_at > {{ as_of_timestamp() }})
),

versions as (
    select
        submission_id,
        source,
        country_iso3,
        year,
        accepted_at,
        lag(submission_id) over (
            partition by source, country_iso3, year order by submission_id
        ) as previous_submission_id,
        lag(accepted_at) over (
            partition by source, country_iso3, year order by submission_id
        ) as previous_accepted_at
    from scopes
),

observations as (
    select * from {{ source('raw', 'aggregate_observations') }}
),

code_map_rows as (
    select * from {{ ref('stg_reference__code_map') }}
),

formats as (
    select distinct source_format from observations
),

code_map_ranked as (
    select
        formats.source_format,
        code_map_rows.dimension,
        code_map_rows.source_key,
        code_map_rows.standard_code,
        row_number() over (
            partition by formats.source_format, code_map_rows.dimension, code_map_rows.source_key
            order by code_map_rows.priority
        ) as rank_in_key
    from formats
    inner join code_map_rows
        on code_map_rows.source_format in (formats.source_format, '*')
),

code_map as (
    select * from code_map_ranked
    where rank_in_key = 1
),

{%- set dims = [('indicator', 'indicator_code', 'ind'), ('sex', 'sex_code', 'sx'),
                ('age_group', 'age_code', 'ag'), ('form_of_exploitation', 'form_code', 'fm'),
                ('citizenship', 'citizenship_code', 'ct'), ('unit', 'unit_code', 'un')] %}

mapped as (
    select
        o.submission_id,
        o.country_iso3,
        o.year,
        ind.standard_code as indicator,
        coalesce(sx.standard_code, 'unknown') as sex,
        coalesce(ag.standard_code, 'unknown') as age_group,
        coalesce(fm.standard_code, 'unknown') as form_of_exploitation,
        coalesce(ct.standard_code, 'unknown') as citizenship,
        coalesce(un.standard_code, 'persons') as unit,
        o.estimate_type,
        o.value,
        o.value_lower,
        o.value_upper
    from observations as o
        {%- for dimension, column, alias in dims %}
        left join code_map as {{ alias }}
            on
                {{ alias }}.source_format = o.source_format
                and {{ alias }}.dimension = '{{ dimension }}'
                and {{ alias }}.source_key = {{ code_key('o.' ~ column) }}
            {%- endfor %}
),

cells as (
    select
        submission_id,
        country_iso3,
        year,
        indicator,
        sex,
        age_group,
        form_of_exploitation,
        citizenship,
        estimate_type,
        min(unit) as unit,
        case when count(*) = count(value) then sum(value) end as value,
        case when count(*) = count(value_lower) then sum(value_lower) end as value_lower,
        case when count(*) = count(value_upper) then sum(value_upper) end as value_upper
    from mapped
    where indicator is not null
    group by
        submission_id, country_iso3, year, indicator, sex, age_group, form_of_exploitation,
        citizenship, estimate_type
),

pairs as (
    select * from versions
    where previous_submission_id is not null
),

old_cells as (
    select
        pairs.submission_id as pair_id,
        cells.*
    from pairs
    inner join cells
        on
            pairs.previous_submission_id = cells.submission_id
            and pairs.country_iso3 = cells.country_iso3
            and pairs.year = cells.year
),

new_cells as (
    select
        pairs.submission_id as pair_id,
        cells.*
    from pairs
    inner join cells
        on
            pairs.submission_id = cells.submission_id
            and pairs.country_iso3 = cells.country_iso3
            and pairs.year = cells.year
),

compared as (
    select
        coalesce(n.pair_id, o.pair_id) as pair_id,
        coalesce(n.country_iso3, o.country_iso3) as country_iso3,
        coalesce(n.year, o.year) as year,
        coalesce(n.indicator, o.indicator) as indicator,
        coalesce(n.sex, o.sex) as sex,
        coalesce(n.age_group, o.age_group) as age_group,
        coalesce(n.form_of_exploitation, o.form_of_exploitation) as form_of_exploitation,
        coalesce(n.citizenship, o.citizenship) as citizenship,
        coalesce(n.estimate_type, o.estimate_type) as estimate_type,
        coalesce(n.unit, o.unit) as unit,
        o.value as old_value,
        o.value_lower as old_value_lower,
        o.value_upper as old_value_upper,
        n.value as new_value,
        n.value_lower as new_value_lower,
        n.value_upper as new_value_upper,
        case
            when o.pair_id is null then 'added'
            when n.pair_id is null then 'removed'
            else 'changed'
        end as change
    from new_cells as n
    full outer join old_cells as o
        on
            n.pair_id = o.pair_id
            and n.country_iso3 = o.country_iso3
            and n.year = o.year
            and n.indicator = o.indicator
            and n.sex = o.sex
            and n.age_group = o.age_group
            and n.form_of_exploitation = o.form_of_exploitation
            and n.citizenship = o.citizenship
            and n.estimate_type = o.estimate_type
),

final as (
    select
        pairs.source,
        pairs.country_iso3,
        pairs.year,
        compared.indicator,
        compared.sex,
        compared.age_group,
        compared.form_of_exploitation,
        compared.citizenship,
        compared.estimate_type,
        compared.unit,
        compared.change,
        compared.old_value,
        compared.old_value_lower,
        compared.old_value_upper,
        compared.new_value,
        compared.new_value_lower,
        compared.new_value_upper,
        pairs.previous_submission_id as old_submission_id,
        pairs.previous_accepted_at as old_accepted_at,
        pairs.submission_id as new_submission_id,
        pairs.accepted_at as new_accepted_at
    from compared
    inner join pairs
        on
            compared.pair_id = pairs.submission_id
            and compared.country_iso3 = pairs.country_iso3
            and compared.year = pairs.year
    where
        compared.change <> 'changed'
        or compared.old_value is distinct from compared.new_value
        or compared.old_value_lower is distinct from compared.new_value_lower
        or compared.old_value_upper is distinct from compared.new_value_upper
)

select * from final
