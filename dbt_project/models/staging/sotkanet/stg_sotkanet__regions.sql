-- Sotkanet's region list from the latest accepted sotkanet_regions.json.
with

load_log as (
    select * from {{ ref('stg_ingest__load_log') }}
    where source = 'sotkanet_regions' and status = 'accepted'
),

latest as (
    select parquet_path from load_log order by load_seq desc limit 1
),

{% set regions_glob = home_path('raw/sotkanet_regions/*.parquet') %}
{% set empty = "select null::integer as region_id, null::varchar as code, null::varchar as category, null::varchar as title_fi, null::varchar as title_sv, null::varchar as title_en, null::varchar as _load_id where false" %}
source as (
    {% if execute and run_query("select count(*) from " ~ ref('stg_ingest__load_log') ~ " where source = 'sotkanet_regions' and status = 'accepted'").columns[0].values()[0] > 0 %}
    select * from read_parquet('{{ regions_glob }}', filename = true)
    {% else %}
    select *, null::varchar as filename from ({{ empty }})
    {% endif %}
),

final as (
    select
        source.region_id::integer as region_id,
        source.code,
        source.category,
        source.title_fi,
        source.title_sv,
        source.title_en
    from source
    inner join latest on source.filename = latest.parquet_path
)

select * from final
