-- Each participant's baseline and follow-up of each measure of the intervention (methods.md): baseline = the
-- last measurement on or before the start and at most 60 days before it; follow-up = the first measurement
-- 60–240 days after the start. One pair per client, intervention, measure, area and cohort year (the
-- client's first enrolment of the year). Client-level: never published.
with

enrolments as (
    select * from {{ ref('stg_interventions__enrolments') }}
),

measurements as (
    select * from {{ ref('stg_outcomes__measurements') }}
),

interventions as (
    select code, unnest(string_split(measures, ';')) as measure
    from {{ ref('interventions') }}
    where measures is not null and measures <> ''
),

measures as (
    select * from {{ ref('measures') }}
),

municipalities as (
    select code, welfare_area_code from {{ ref('municipalities') }}
),

enrolments_by_area as (
    select enrolments.*, municipality_code as area_code, 'municipality' as area_level from enrolments
    union all
    select enrolments.*, municipalities.welfare_area_code, 'welfare_area'
    from enrolments inner join municipalities on enrolments.municipality_code = municipalities.code
),

first_enrolment as (
    select *, year(start_date) as cohort_year
    from enrolments_by_area
    qualify row_number() over (
        partition by area_code, intervention, client_id, year(start_date) order by start_date
    ) = 1
),

baseline as (
    select first_enrolment.*, interventions.measure, measurements.value as baseline_value,
        measurements.measured_on as baseline_on
    from first_enrolment
    inner join interventions on first_enrolment.intervention = interventions.code
    inner join measurements
        on measurements.client_id = first_enrolment.client_id
        and measurements.measure = interventions.measure
        and measurements.measured_on between first_enrolment.start_date - 60 and first_enrolment.start_date
    qualify row_number() over (
        partition by first_enrolment.area_code, first_enrolment.intervention, first_enrolment.client_id,
            first_enrolment.cohort_year, interventions.measure
        order by measurements.measured_on desc
    ) = 1
),

paired as (
    select baseline.*, measurements.value as followup_value, measurements.measured_on as followup_on
    from baseline
    inner join measurements
        on measurements.client_id = baseline.client_id
        and measurements.measure = baseline.measure
        and measurements.measured_on between baseline.start_date + 60 and baseline.start_date + 240
    qualify row_number() over (
        partition by baseline.area_code, baseline.intervention, baseline.client_id, baseline.cohort_year,
            baseline.measure
        order by measurements.measured_on
    ) = 1
),

final as (
    select
        paired.intervention,
        paired.measure,
        paired.area_code,
        paired.area_level,
        paired.cohort_year,
        paired.client_id,
        paired.start_date,
        paired.baseline_on,
        paired.baseline_value,
        paired.followup_on,
        paired.followup_value,
        paired.followup_value - paired.baseline_value as change,
        -- Improved by at least the MCID in the measure's better direction (compared rounded: 8 vs 8.0000001).
        round(case measures.better when 'lower' then paired.baseline_value - paired.followup_value
            else paired.followup_value - paired.baseline_value end, 10) >= measures.mcid as improved_mcid
    from paired
    inner join measures on paired.measure = measures.code
)

select * from final
