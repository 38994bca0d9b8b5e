-- Customer-service-centre contacts of the live version of each month's file
-- ({{ source('raw', 'contacts') }}; only the files the load log lists as live are read).
-- depends_on: {{ ref('stg_ingest__load_log') }}
with

source as (
    select * from {{ live_parquet('contacts') }}
),

renamed as (
    select
        yhteys_id as contact_id,
        kanava as channel,
        alkoi::timestamp as started_at,
        jonotus_s::bigint as queue_seconds,
        vastattu = '1' as is_answered,
        kotikunta as home_municipality_code,
        _period as delivery_period,
        _load_id as load_id,
        _source_line::bigint as source_line
    from source
)

select * from renamed
