-- A table, not a view: the reject log is kept in the build database (avohilmo.md, row-level rules).
{{ config(materialized='table') }}

with

source as (
    select * from {{ source('raw', 'rejected_rows') }}
),

final as (
    select
        load_id,
        source,
        file_name,
        line::bigint as line_number,
        column_name,
        reason,
        value as offending_value
    from source
)

select * from final
