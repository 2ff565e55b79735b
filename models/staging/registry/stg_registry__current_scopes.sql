-- Which submissions are current for each scope (source x country x year x dataset) as of
-- var('as_of'): the newest accepted, not withdrawn 'replace' submission, plus any 'append'
-- submissions after it. A 'delete' submission makes its scope empty.
with scopes as (
    select *
    from {{ source('raw', 'submission_scopes') }}
    where
        accepted_at <= {{ as_of_timestamp() }}
        and (withdrawn_at is null or withdrawn_at > {{ as_of_timestamp() }})
),

base as (
    select
        source,
        country_iso3,
        year,
        dataset,
        max(submission_id) as base_submission_id
    from scopes
    where action <> 'append'
    group by source, country_iso3, year, dataset
),

final as (
    select
        scopes.submission_id,
        scopes.source,
        scopes.country_iso3,
        scopes.year,
        scopes.dataset,
        scopes.action
    from scopes
    left join base
        on
            scopes.source = base.source
            and scopes.country_iso3 = base.country_iso3
            and scopes.year = base.year
            and scopes.dataset = base.dataset
    where
        scopes.action <> 'delete'
        and (
            (scopes.action <> 'append' and scopes.submission_id = base.base_submission_id)
            or (
                scopes.action = 'append'
                and (base.base_submission_id is null or scopes.submission_id > base.base_submission_id)
            )
        )
)

select * from final
