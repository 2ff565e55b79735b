{#- Persons in formal contact, prosecuted and convicted from case-level suspect records, at the
    standard grain with explicit 'total' rows. A person counts at every stage up to the one reached
    (a convicted person was also prosecuted and in formal contact), once per country and year.
    Not incremental: suspect records are far fewer than victims and cheap to recount. -#}
with suspects as (
    select * from {{ ref('stg_casework__suspects') }}
),

stage_indicators as (
    select
        'formal_contact' as justice_stage,
        'persons_in_formal_contact' as indicator
    union all
    select
        'prosecuted' as justice_stage,
        'persons_in_formal_contact' as indicator
    union all
    select
        'prosecuted' as justice_stage,
        'persons_prosecuted' as indicator
    union all
    select
        'convicted' as justice_stage,
        'persons_in_formal_contact' as indicator
    union all
    select
        'convicted' as justice_stage,
        'persons_prosecuted' as indicator
    union all
    select
        'convicted' as justice_stage,
        'persons_convicted' as indicator
),

per_indicator as (
    select
        suspects.submission_id,
        suspects.source,
        suspects.country_iso3,
        suspects.year,
        stage_indicators.indicator,
        suspects.person_pseudonym,
        suspects.sex,
        suspects.age_group,
        suspects.citizenship
    from suspects
    inner join stage_indicators on suspects.justice_stage = stage_indicators.justice_stage
),

cubed as (
    select
        source,
        country_iso3,
        year,
        indicator,
        case when grouping(sex) = 1 then 'total' else sex end as sex,
        case when grouping(age_group) = 1 then 'total' else age_group end as age_group,
        case when grouping(citizenship) = 1 then 'total' else citizenship end as citizenship,
        max(submission_id) as submission_id,
        count(distinct person_pseudonym) as persons_count
    from per_indicator
    group by source, country_iso3, year, indicator, cube (sex, age_group, citizenship)
),

final as (
    select
        submission_id,
        source,
        country_iso3,
        year,
        indicator,
        sex,
        age_group,
        'total' as form_of_exploitation,
        citizenship,
        'persons' as unit,
        'detected' as estimate_type,
        cast(persons_count as double) as value,
        cast(persons_count as double) as value_lower,
        cast(persons_count as double) as value_upper,
        cast(null as varchar) as obs_status,
        cast(null as varchar) as conf_status,
        true as is_additive
    from cubed
)

select * from final
