-- RAI assessments of the live version of each municipality-month ({{ source('raw', 'rai') }}).
-- depends_on: {{ ref('stg_ingest__load_log') }}
with

source as (
    select * from {{ live_parquet('rai') }}
),

renamed as (
    select
        asiakas_tunniste as client_id,
        arviointi_pvm::date as assessment_date,
        instrumentti as instrument,
        maple::integer as maple,
        cps::integer as cps,
        adlh::integer as adlh,
        iadl::integer as iadl,
        drs::integer as drs,
        chess::integer as chess,
        _municipality as municipality_code,
        _load_id as load_id,
        _source_line::bigint as source_line
    from source
)

select * from renamed
