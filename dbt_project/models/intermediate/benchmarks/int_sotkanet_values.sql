-- Sotkanet values resolved to our areas, as shares, one download per indicator and year: a later download
-- replaces earlier rows for the years it covers (sotkanet.md). Only gender = total.
with

values_ as (
    select * from {{ ref('stg_sotkanet__values') }}
),

regions as (
    select * from {{ ref('stg_sotkanet__regions') }}
),

area_codes as (
    select * from {{ ref('sotkanet_area_codes') }}
),

municipalities as (
    select code from {{ ref('municipalities') }}
),

latest_download as (
    -- For each indicator and year, the newest download that has rows for it.
    select sotkanet_id, year, load_id
    from values_
    group by sotkanet_id, year, load_id
    qualify row_number() over (partition by sotkanet_id, year order by max(downloaded_on) desc, load_id desc) = 1
),

resolved as (
    select
        values_.sotkanet_id,
        values_.year,
        coalesce(area_codes.area_code, municipalities.code) as area_code,
        coalesce(area_codes.area_level, case when municipalities.code is not null then 'municipality' end)
            as area_level,
        values_.primary_value / 100.0 as value,
        values_.downloaded_on
    from values_
    inner join latest_download using (sotkanet_id, year, load_id)
    inner join regions on values_.region_id = regions.region_id
    left join area_codes
        on regions.code = area_codes.sotkanet_code and regions.category = area_codes.category
    left join municipalities
        on regions.category = 'KUNTA' and regions.code = municipalities.code
    where values_.gender = 'total'
),

final as (
    select * from resolved where area_code is not null
)

select * from final
