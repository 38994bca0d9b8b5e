-- Raw visits of the live version of each municipality-month ({{ source('raw', 'avohilmo') }} is the
-- Parquet ingest wrote; only the files the load log lists as live are read).
-- depends_on: {{ ref('stg_ingest__load_log') }}
with

source as (
    select * from {{ live_parquet('avohilmo') }}
),

renamed as (
    select
        kaynti_id as visit_id,
        asiakas_tunniste as client_id,
        kotikunta as home_municipality_code,
        ika::integer as age,
        yksikko as unit,
        palvelumuoto as service_type,
        ammatti as occupation_code,
        yhteystapa as contact_type_code,
        kiireellisyys as urgency,
        yhteydenotto_pvm::date as contact_date,
        hoidon_tarve_pvm::date as assessment_date,
        kaynti_pvm::date as visit_date,
        _municipality as municipality_code,
        _period as delivery_period,
        _source_file as source_file,
        _source_line::bigint as source_line,
        _file_version::integer as file_version,
        _load_id as load_id,
        _loaded_at::timestamptz as loaded_at
    from source
)

select * from renamed
