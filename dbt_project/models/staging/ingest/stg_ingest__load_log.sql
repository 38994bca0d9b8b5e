with

source as (
    select * from {{ source('raw', 'load_log') }}
),

renamed as (
    select
        load_id,
        sha256,
        file_name,
        source,
        municipality as municipality_code,
        period,
        subject,
        version::integer as file_version,
        size::bigint as size_bytes,
        status,
        load_seq::integer as load_seq,
        run_id,
        loaded_at::timestamptz as loaded_at,
        encoding,
        delimiter,
        header_language,
        data_lines::bigint as data_lines,
        rows_accepted::bigint as rows_accepted,
        rows_rejected::bigint as rows_rejected,
        rows_duplicate::bigint as rows_duplicate,
        parquet_path,
        problem,
        message,
        quarantine_report,
        nullif(municipalities, '') as municipalities_in_rows,
        nullif(warnings, '') as warnings
    from source
),

final as (
    select
        *,
        -- The live version of a slot is its highest accepted version; new bytes under a name already
        -- loaded rank above the earlier bytes of that name (avohilmo.md), hence load_seq as tie-break.
        status = 'accepted' and row_number() over (
            partition by source, municipality_code, period, subject, status
            order by file_version desc, load_seq desc
        ) = 1 as is_live
    from renamed
)

select * from final
