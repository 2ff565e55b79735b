-- Case-level cases of current submissions with their modus operandi, one row per case.
-- Yes/no answers are booleans (null: unknown); transnational is 'transnational', 'domestic' or null.
with current_rows as (
    {{ current_rows(source('raw', 'case_cases'), 'cases') }}
),

final as (
    select
        submission_id,
        source,
        source_format,
        row_number,
        country_iso3,
        year,
        case_pseudonym,
        stage_code,
        date_registered,
        date_stage,
        recruitment_method_code,
        recruitment_agency_involved,
        recruitment_fees_charged,
        fraudulent_job_offer,
        transnational_code
    from current_rows
)

select * from final
