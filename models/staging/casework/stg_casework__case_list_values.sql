-- Multi-valued fields of current case-level cases: one row per case and value (means of control,
-- origin/transit/destination countries).
with current_rows as (
    {{ current_rows(source('raw', 'case_list_values'), 'cases') }}
        and r.dataset = 'cases'
),

final as (
    select
        submission_id,
        source,
        country_iso3,
        year,
        record_pseudonym as case_pseudonym,
        attribute,
        value_code,
        value_iso3
    from current_rows
)

select * from final
