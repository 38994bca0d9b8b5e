-- Sotkanet rows of every accepted download ({{ source('raw', 'sotkanet') }}); values stay as delivered
-- (percentages for the access indicators), shares are made in the intermediate model.
-- depends_on: {{ ref('stg_ingest__load_log') }}
with

source as (
    select * from {{ live_parquet('sotkanet') }}
),

renamed as (
    select
        indicator as sotkanet_id,
        region::integer as region_id,
        year::integer as year,
        gender,
        primary_value,
        absolute_value,
        _period::date as downloaded_on,
        _load_id as load_id
    from source
)

select * from renamed
