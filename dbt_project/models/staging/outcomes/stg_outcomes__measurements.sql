-- Outcome measurements of the live version of each municipality-month ({{ source('raw', 'outcomes') }}).
-- depends_on: {{ ref('stg_ingest__load_log') }}
with

source as (
    select * from {{ live_parquet('outcomes') }}
),

renamed as (
    select
        asiakas_tunniste as client_id,
        mittari as measure,
        mittaus_pvm::date as measured_on,
        arvo::double as value,
        _municipality as municipality_code,
        _load_id as load_id,
        _source_line::bigint as source_line
    from source
)

select * from renamed
