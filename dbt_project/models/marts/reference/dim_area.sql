-- Areas with their names and who organised their services when: per municipality one row before and one
-- from organised_by_region_from; plus the welfare area and the whole country.
with

municipalities as (
    select * from {{ ref('municipalities') }}
),

before_region as (
    select
        code as area_code,
        'municipality' as area_level,
        name_fi,
        name_sv,
        name_fi as name_en,
        language_status,
        subregion_fi,
        subregion_sv,
        false as organised_by_region,
        null::date as valid_from,
        (organised_by_region_from - interval 1 day)::date as valid_to
    from municipalities
),

by_region as (
    select
        code as area_code,
        'municipality' as area_level,
        name_fi,
        name_sv,
        name_fi as name_en,
        language_status,
        subregion_fi,
        subregion_sv,
        true as organised_by_region,
        organised_by_region_from as valid_from,
        null::date as valid_to
    from municipalities
),

welfare_areas as (
    select distinct
        welfare_area_code as area_code,
        'welfare_area' as area_level,
        'Pohjanmaan hyvinvointialue' as name_fi,
        'Österbottens välfärdsområde' as name_sv,
        'Ostrobothnia welfare area' as name_en,
        null as language_status,
        null as subregion_fi,
        null as subregion_sv,
        true as organised_by_region,
        null::date as valid_from,
        null::date as valid_to
    from municipalities
),

country as (
    select
        'SSS' as area_code,
        'country' as area_level,
        'Koko maa' as name_fi,
        'Hela landet' as name_sv,
        'Whole country' as name_en,
        null as language_status,
        null as subregion_fi,
        null as subregion_sv,
        null::boolean as organised_by_region,
        null::date as valid_from,
        null::date as valid_to
    from (select 1)
),

final as (
    select * from before_region
    union all select * from by_region
    union all select * from welfare_areas
    union all select * from country
)

select * from final
