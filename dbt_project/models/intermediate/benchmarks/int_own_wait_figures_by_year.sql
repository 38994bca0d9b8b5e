-- Our own figures for Sotkanet's waiting-time definitions, per area and year, from the visit rows
-- (the same population as wait_times: non-urgent visits with a needs assessment).
-- Incremental by year: a build recomputes the years from TIEDOLLA_REBUILD_FROM on (macros/rebuilt_periods.sql).
{{ config(
    materialized='incremental',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where year >= year({{ rebuild_from() }}){% endif %}"
) }}
with

visits as (
    select * from {{ ref('int_visits_with_wait_days') }}
    where wait_days is not null
        and {{ in_rebuilt_periods("date_trunc('year', visit_date)", "'year'") }}
),

municipalities as (
    select code, welfare_area_code from {{ ref('municipalities') }}
),

definitions as (
    select * from {{ ref('indicator_definitions') }} where sotkanet_id is not null
),

by_area as (
    select visits.*, visits.municipality_code as area_code, 'municipality' as area_level from visits
    union all
    select visits.*, municipalities.welfare_area_code, 'welfare_area'
    from visits inner join municipalities on visits.municipality_code = municipalities.code
),

figures as (
    -- One column of our own per catalog indicator with a Sotkanet counterpart.
    select
        area_code,
        area_level,
        year(visit_date) as year,
        count(distinct client_id) filter (where service_line = 'primary_care' and professional_group = 'doctor')
            as pc_doctor_persons,
        count(*) filter (where service_line = 'primary_care' and professional_group = 'doctor') as pc_doctor_visits,
        count(*) filter (where service_line = 'primary_care' and professional_group = 'doctor' and wait_days > 7)
            as pc_doctor_over_7d,
        count(*) filter (where service_line = 'primary_care' and professional_group = 'doctor' and wait_days > 90)
            as pc_doctor_over_90d,
        count(distinct client_id) filter (where service_line = 'oral_health' and professional_group = 'dentist')
            as dentist_persons,
        count(*) filter (where service_line = 'oral_health' and professional_group = 'dentist') as dentist_visits,
        count(*) filter (where service_line = 'oral_health' and professional_group = 'dentist' and wait_days > 21)
            as dentist_over_21d
    from by_area
    group by all
),

final as (
    select area_code, area_level, year, 'wait_pc_doctor_over_7d' as indicator_id,
        pc_doctor_over_7d as numerator, pc_doctor_visits as denominator, pc_doctor_persons as persons
    from figures
    union all
    select area_code, area_level, year, 'wait_pc_doctor_over_90d',
        pc_doctor_over_90d, pc_doctor_visits, pc_doctor_persons
    from figures
    union all
    select area_code, area_level, year, 'wait_dentist_over_21d',
        dentist_over_21d, dentist_visits, dentist_persons
    from figures
)

select * from final
