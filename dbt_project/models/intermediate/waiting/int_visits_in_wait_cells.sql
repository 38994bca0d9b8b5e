{{ config(materialized='view') }}
-- Each non-urgent visit once per area it counts in (its municipality and that municipality's welfare area)
-- and per waiting-time cell it belongs to (its own professional group and 'all'): the input of every
-- waiting-time cell, whatever the period.
with

visits as (
    select * from {{ ref('int_visits_with_wait_days') }}
    where service_line is not null and is_nonurgent
),

cells as (
    select service_line, professional_group from {{ ref('wait_time_cells') }}
),

municipalities as (
    select code, welfare_area_code from {{ ref('municipalities') }}
),

visits_by_area as (
    -- A visit belongs to the municipality whose file delivered it, and to that municipality's welfare area.
    select visits.*, visits.municipality_code as area_code from visits
    union all
    select visits.*, municipalities.welfare_area_code as area_code
    from visits
    inner join municipalities on visits.municipality_code = municipalities.code
),

final as (
    select visits_by_area.*, cells.professional_group as cell_group
    from visits_by_area
    inner join cells
        on visits_by_area.service_line = cells.service_line
        and (cells.professional_group = visits_by_area.professional_group or cells.professional_group = 'all')
)

select * from final
