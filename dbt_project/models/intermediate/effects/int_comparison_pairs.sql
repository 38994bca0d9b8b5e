-- The comparison group of each measure × area × cohort year (methods.md, revision 2): clients of the area
-- never enrolled (in any year) in ANY intervention whose seed row lists the measure, who have the measure
-- twice 60–240 days apart. First = the client's earliest measurement in the cohort year that has a later one
-- 60–240 days after it; second = the first measurement 60–240 days after that. The group is the same for every
-- intervention using the measure (int_intervention_statistics pairs it with each). Client-level: never
-- published.
with

interventions as (
    select code as intervention, unnest(string_split(measures, ';')) as measure
    from {{ ref('interventions') }}
    where measures is not null and measures <> ''
),

excluded as (
    -- Everyone ever enrolled in an intervention measured with the measure: not an untreated comparison.
    select distinct enrolments.client_id, interventions.measure
    from {{ ref('stg_interventions__enrolments') }} as enrolments
    inner join interventions on enrolments.intervention = interventions.intervention
),

measures as (
    select * from {{ ref('measures') }}
),

measurements as (
    select measurements.*
    from {{ ref('stg_outcomes__measurements') }} as measurements
    where measurements.measure in (select measure from interventions)
        and not exists (
            select 1 from excluded
            where excluded.client_id = measurements.client_id and excluded.measure = measurements.measure
        )
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
    select
        pairs.*,
        -- The participants' rule (int_intervention_pairs): improved by at least the MCID in the measure's
        -- better direction, compared rounded (8 vs 8.0000001).
        round(case measures.better when 'lower' then pairs.first_value - pairs.second_value
            else pairs.second_value - pairs.first_value end, 10) >= measures.mcid as improved_mcid
    from pairs
    inner join measures on pairs.measure = measures.code
)

select * from final
