-- Residents on 31 December from the live version of each year's population file
-- ({{ source('raw', 'population') }}; only the files the load log lists as live are read).
-- depends_on: {{ ref('stg_ingest__load_log') }}
with

source as (
    select * from {{ live_parquet('population') }}
),

renamed as (
    select
        kunta as municipality_code,
        ikaryhma as age_group,
        sukupuoli as sex,
        vaesto::bigint as residents,
        _period::integer as year,
        _load_id as load_id,
        _source_line::bigint as source_line
    from source
)

select * from renamed
