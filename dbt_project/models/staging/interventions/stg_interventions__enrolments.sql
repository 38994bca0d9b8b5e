-- Intervention enrolments of the live version of each municipality-month ({{ source('raw', 'interventions') }});
-- Finnish and Swedish status words become one English status.
-- depends_on: {{ ref('stg_ingest__load_log') }}
with

source as (
    select * from {{ live_parquet('interventions') }}
),

statuses as (
    select * from {{ ref('enrolment_statuses') }}
),

renamed as (
    select
        source.asiakas_tunniste as client_id,
        source.interventio as intervention,
        source.yksikko as unit,
        source.aloitus_pvm::date as start_date,
        source.lopetus_pvm::date as end_date,
        statuses.status,
        source._municipality as municipality_code,
        source._load_id as load_id,
        source._source_line::bigint as source_line
    from source
    left join statuses on source.tila = statuses.delivered_status
)

select * from renamed
