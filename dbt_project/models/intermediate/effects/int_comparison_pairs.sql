-- The comparison group of each intervention × measure × area × cohort year (methods.md): clients of the area
-- never enrolled in that intervention (in any year) who have the measure twice 60–240 days apart. First =
-- the client's earliest measurement in the cohort year that has a later one 60–240 days after it; second =
-- the first measurement 60–240 days after that. Client-level: never published.
with

enrolments as (
    select distinct client_id, intervention from {{ ref('stg_interventions__enrolments') }}
),

measurements as (
    select * from {{ ref('stg_outcomes__measurements') }}
),

interventions as (
    select code as intervention, unnest(string_split(measures, ';')) as measure
    from {{ ref('interventions') }}
    where measures is not null and measures <> ''
),

municipalities as (
    select code, welfare_area_code from {{ ref('municipalities') }}
),

measurements_by_area as (
    select measurements.*, municipality_code as area_code from measurements
    union all
    select measurements.*, municipalities.welfare_area_code
    from measurements inner join municipalities on measurements.municipality_code = municipalities.code
),

candidate_firsts as (
    -- Measurements with a later one of the same measure 60–240 days after.
    select distinct first.area_code, first.client_id, first.measure, first.measured_on, first.value
    from measurements_by_area as first
    inner join measurements_by_area as later
        on later.area_code = first.area_code
        and later.client_id = first.client_id
        and later.measure = first.measure
        and later.measured_on between first.measured_on + 60 and first.measured_on + 240
),

firsts as (
    select *, year(measured_on) as cohort_year
    from candidate_firsts
    qualify row_number() over (
        partition by area_code, client_id, measure, year(measured_on) order by measured_on
    ) = 1
),

pairs as (
    select
        firsts.area_code,
        firsts.client_id,
        firsts.measure,
        firsts.cohort_year,
        firsts.value as first_value,
        second.value as second_value,
        second.value - firsts.value as change
    from firsts
    inner join measurements_by_area as second
        on second.area_code = firsts.area_code
        and second.client_id = firsts.client_id
        and second.measure = firsts.measure
        and second.measured_on between firsts.measured_on + 60 and firsts.measured_on + 240
    qualify row_number() over (
        partition by firsts.area_code, firsts.client_id, firsts.measure, firsts.cohort_year
        order by second.measured_on
    ) = 1
),

final as (
    select interventions.intervention, pairs.*
    from pairs
    inner join interventions on pairs.measure = interventions.measure
    where not exists (
        select 1 from enrolments
        where enrolments.client_id = pairs.client_id and enrolments.intervention = interventions.intervention
    )
)

select * from final
