-- Participants (clients enrolled) and completers per intervention × area × cohort year (year of the start), and
-- the cohort's latest start (intervention_effects: is the follow-up window still open at the as-of day?).
with

enrolments as (
    select * from {{ ref('stg_interventions__enrolments') }}
),

municipalities as (
    select code, welfare_area_code from {{ ref('municipalities') }}
),

by_area as (
    select enrolments.*, municipality_code as area_code, 'municipality' as area_level from enrolments
    union all
    select enrolments.*, municipalities.welfare_area_code, 'welfare_area'
    from enrolments inner join municipalities on enrolments.municipality_code = municipalities.code
),

final as (
    select
        intervention,
        area_code,
        area_level,
        year(start_date) as cohort_year,
        count(distinct client_id) as participants,
        count(distinct client_id) filter (where status = 'completed') as completers,
        max(start_date) as last_start_date
    from by_area
    group by all
)

select * from final
