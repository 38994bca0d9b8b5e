with

source as (
    select * from {{ source('raw', 'check_results') }}
),

final as (
    select
        check_name,
        source,
        file as file_name,
        "column" as column_name,
        rows_checked,
        rows_failed,
        share_failed,
        threshold,
        severity,
        status,
        kahn_category,
        load_id,
        municipality as municipality_code,
        period,
        note,
        observed
    from source
)

select * from final
