-- Every directors' indicator per area × period at month, quarter and year grain, computed from the rows of
-- the period (never by averaging monthly values): value, numerator, denominator and the persons behind it.
-- Incremental by period: a build recomputes the periods (of each grain) from TIEDOLLA_REBUILD_FROM on
-- (macros/rebuilt_periods.sql); client rows are read from the first year that can touch them.
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_periods('period_grain') }}") }}
with

visit_counts as (
    select *, wait_days is not null as has_wait_days, within_guarantee is not null as is_judged
    from {{ ref('int_wait_visit_counts') }}
    where {{ in_rebuilt_periods("date_trunc('year', visit_month)", "'year'") }}
),

few_client_visits as (
    select * from {{ ref('int_wait_few_client_visits') }}
    where {{ in_rebuilt_periods("date_trunc('year', visit_month)", "'year'") }}
),

contacts as (
    select * from {{ ref('stg_contacts__contacts') }}
    where {{ in_rebuilt_periods("date_trunc('year', started_at)::date", "'year'") }}
),

channels as (
    select * from {{ ref('contact_channel_codes') }}
),

residents as (
    select * from {{ ref('stg_population__residents') }}
),

coverage as (
    select * from {{ ref('int_coverage_by_period') }}
),

municipalities as (
    select code, welfare_area_code from {{ ref('municipalities') }}
),

expected_sources as (
    select * from {{ ref('expected_sources') }}
),

thresholds as (
    select * from {{ ref('reliability_thresholds') }}
),

grains as (
    select unnest(['month', 'quarter', 'year']) as period_grain
),

{#- The visits whose distinct clients are the persons behind each waiting indicator. -#}
{%- set person_kinds = {
    'doctor': "service_line = 'primary_care' and professional_group = 'doctor' and has_wait_days",
    'pc_judged': "service_line = 'primary_care' and is_judged",
    'pc_wait': "service_line = 'primary_care' and has_wait_days",
    'dentist': "service_line = 'oral_health' and professional_group = 'dentist' and has_wait_days",
    'oral_judged': "service_line = 'oral_health' and is_judged",
    'pc_visit': "service_line = 'primary_care'"} %}

-- The waiting figures add up from the visits counted per municipality-month (int_wait_visit_counts): per
-- area (the delivering municipality and its welfare area) and period of each grain. Not materialized: read
-- once per aggregate below. Reading the visits themselves ran out of memory at ten times the region (issue 7).
visit_counts_by_period as not materialized (
    select by_area.*, grains.period_grain, date_trunc(grains.period_grain, by_area.visit_month)::date as period_start
    from ({{ in_own_and_welfare_area('visit_counts') }}) as by_area
    cross join grains
),

few_client_visits_by_period as (
    select by_area.*, grains.period_grain, date_trunc(grains.period_grain, by_area.visit_month)::date as period_start
    from ({{ in_own_and_welfare_area('few_client_visits') }}) as by_area
    cross join grains
),

wait_counts as (
    select
        area_code,
        period_grain,
        period_start,
        -- doctor, over 7 days / over 90 days (assessed non-urgent primary-care doctor visits)
        coalesce(sum(visits) filter (where service_line = 'primary_care' and professional_group = 'doctor'
            and wait_days > 7), 0)::bigint as doctor_over_7,
        coalesce(sum(visits) filter (where service_line = 'primary_care' and professional_group = 'doctor'
            and wait_days > 90), 0)::bigint as doctor_over_90,
        coalesce(sum(visits) filter (where service_line = 'primary_care' and professional_group = 'doctor'
            and wait_days is not null), 0)::bigint as doctor_visits,
        coalesce(sum(visits) filter (where service_line = 'primary_care' and within_guarantee), 0)::bigint
            as pc_within,
        coalesce(sum(visits) filter (where service_line = 'primary_care' and within_guarantee is not null), 0)::bigint
            as pc_judged,
        coalesce(sum(visits) filter (where service_line = 'oral_health' and professional_group = 'dentist'
            and wait_days > 21), 0)::bigint as dentist_over_21,
        coalesce(sum(visits) filter (where service_line = 'oral_health' and professional_group = 'dentist'
            and wait_days is not null), 0)::bigint as dentist_visits,
        coalesce(sum(visits) filter (where service_line = 'oral_health' and within_guarantee), 0)::bigint
            as oral_within,
        coalesce(sum(visits) filter (where service_line = 'oral_health' and within_guarantee is not null), 0)::bigint
            as oral_judged,
        coalesce(sum(visits) filter (where service_line = 'primary_care'), 0)::bigint as pc_visits_any_urgency,
        {%- for kind, condition in person_kinds.items() %}
        coalesce(bit_count(bit_or(client_buckets) filter (where {{ condition }})), 0) as {{ kind }}_buckets
            {{- "," if not loop.last }}
        {%- endfor %}
    from visit_counts_by_period
    group by all
),

-- The exact persons where the client buckets mark few enough to be suppressed (int_wait_few_client_visits).
few_persons as (
    select
        area_code,
        period_grain,
        period_start,
        {%- for kind, condition in person_kinds.items() %}
        count(distinct client_id) filter (where {{ condition }}) as {{ kind }}_few {{- "," if not loop.last }}
        {%- endfor %}
    from few_client_visits_by_period
    group by all
),

-- The persons behind each figure: exact up to the largest suppressed size, which is all suppression asks;
-- above it, the marked client buckets, a lower bound that is already too many to suppress.
person_counts as (
    select
        wait_counts.area_code,
        wait_counts.period_grain,
        wait_counts.period_start,
        {%- for kind in person_kinds %}
        case when wait_counts.{{ kind }}_buckets > thresholds.suppress_max_persons then wait_counts.{{ kind }}_buckets
            else coalesce(few_persons.{{ kind }}_few, 0) end as {{ kind }}_persons {{- "," if not loop.last }}
        {%- endfor %}
    from wait_counts
    cross join thresholds
    left join few_persons using (area_code, period_grain, period_start)
),

primary_care_wait_day_counts as (
    {{ value_counts('visit_counts_by_period', ['area_code', 'period_grain', 'period_start'], 'wait_days',
        "service_line = 'primary_care'", weight='visits') }}
),

primary_care_medians as (
    select area_code, period_grain, period_start, {{ quantile_from_counts(0.5, 'wait_days') }} as pc_median
    from primary_care_wait_day_counts
    group by all
),

wait_figures as (
    select
        wait_counts.*,
        person_counts.doctor_persons,
        person_counts.pc_judged_persons,
        person_counts.pc_wait_persons,
        person_counts.dentist_persons,
        person_counts.oral_judged_persons,
        person_counts.pc_visit_persons,
        primary_care_medians.pc_median
    from wait_counts
    left join person_counts using (area_code, period_grain, period_start)
    left join primary_care_medians using (area_code, period_grain, period_start)
),

contacts_by_period as (
    select contacts.*, channels.is_digital, grains.period_grain,
        date_trunc(grains.period_grain, contacts.started_at)::date as period_start
    from contacts
    inner join channels on contacts.channel = channels.channel
    cross join grains
),

contact_figures as (
    -- contacts is a regional source: its indicators have welfare-area rows only.
    select
        (select min(welfare_area_code) from municipalities) as area_code,
        period_grain,
        period_start,
        count(*) filter (where is_answered) as answered,
        count(*) filter (where is_digital) as digital,
        count(*) as contacts
    from contacts_by_period
    group by all
),

visit_months as (
    -- Municipality-months with data (methods.md revision 2): an accepted, not thin visit file holding at least
    -- one accepted data row. Only these add visits and person-years to the per-capita rate.
    select area_code as municipality_code, period_start as visit_month
    from {{ ref('int_source_coverage') }}
    where source = 'avohilmo' and area_level = 'municipality' and period_grain = 'month'
        and deliveries_accepted > 0 and rows_received - rows_rejected > 0
),

residents_by_year as (
    select municipality_code, year, sum(residents) as residents from residents group by all
),

person_months as (
    -- Residents on 31 December of the month's year, or of the latest earlier year delivered, ÷ 12.
    select visit_months.*, residents_by_year.residents / 12.0 as person_years
    from visit_months
    inner join residents_by_year
        on visit_months.municipality_code = residents_by_year.municipality_code
        and residents_by_year.year <= year(visit_months.visit_month)
    qualify row_number() over (
        partition by visit_months.municipality_code, visit_months.visit_month order by residents_by_year.year desc) = 1
),

pc_visits_by_month as (
    select municipality_code, visit_month, sum(visits) as visits
    from visit_counts
    where service_line = 'primary_care'
    group by all
),

rate_months as (
    select person_months.municipality_code, person_months.visit_month, person_months.person_years,
        coalesce(pc_visits_by_month.visits, 0) as visits
    from person_months
    left join pc_visits_by_month using (municipality_code, visit_month)
),

rate_figures as (
    select by_area.area_code, grains.period_grain,
        date_trunc(grains.period_grain, by_area.visit_month)::date as period_start,
        sum(by_area.visits)::bigint as visits, sum(by_area.person_years) as person_years
    from ({{ in_own_and_welfare_area('rate_months') }}) as by_area
    cross join grains
    group by all
),

monthly_sources as (
    select source from expected_sources where grain = 'month'
),

delivery_figures as (
    select area_code, period_grain, period_start,
        sum(deliveries_accepted) as accepted, sum(deliveries_expected) as expected
    from coverage
    where source in (select source from monthly_sources)
    group by all
),

enrolments as (
    select * from {{ ref('stg_interventions__enrolments') }}
    where {{ in_rebuilt_periods("date_trunc('year', start_date)", "'year'") }}
),

enrolment_figures as (
    -- Enrolments starting in the period, by the municipality whose file delivered them; completed = completed
    -- within 365 days of the start (methods.md revision 2; maturity is judged in director_indicators).
    select by_area.area_code, grains.period_grain, date_trunc(grains.period_grain, start_date)::date as period_start,
        count(*) filter (where status = 'completed' and end_date - start_date <= 365) as completed, count(*) as enrolled,
        count(distinct client_id) as persons
    from ({{ in_own_and_welfare_area('enrolments') }}) as by_area
    cross join grains
    group by all
),

assessment_periods as (
    -- Periods that have a RAI slot, with their last day.
    select distinct area_code, period_grain, period_start,
        (period_start + case period_grain when 'month' then interval 1 month when 'quarter' then interval 3 month
            else interval 1 year end - interval 1 day)::date as period_end
    from coverage
    where source = 'rai' and deliveries_expected > 0
),

assessments_by_area as (
    select client_id, assessment_date, maple, area_code
    from ({{ in_own_and_welfare_area(ref('stg_rai__assessments')) }})
),

latest_assessments as (
    -- Each client's latest assessment on or before the period's last day and at most 365 days old.
    select assessment_periods.*, assessments_by_area.client_id, assessments_by_area.maple
    from assessment_periods
    inner join assessments_by_area
        on assessments_by_area.area_code = assessment_periods.area_code
        and assessments_by_area.assessment_date between assessment_periods.period_end - 365
            and assessment_periods.period_end
    qualify row_number() over (
        partition by assessment_periods.area_code, assessment_periods.period_grain, assessment_periods.period_start,
            assessments_by_area.client_id
        order by assessments_by_area.assessment_date desc, assessments_by_area.maple desc) = 1
),

maple_figures as (
    select area_code, period_grain, period_start, count(*) filter (where maple >= 4) as high, count(*) as assessed
    from latest_assessments
    group by all
),

figures as (
    select 'wait_pc_doctor_over_7d' as indicator_id, area_code, period_grain, period_start,
        doctor_over_7::bigint as numerator, doctor_visits::double as denominator,
        doctor_over_7::double / nullif(doctor_visits, 0) as value, doctor_persons as persons
    from wait_figures
    union all
    select 'wait_pc_doctor_over_90d', area_code, period_grain, period_start, doctor_over_90, doctor_visits,
        doctor_over_90::double / nullif(doctor_visits, 0), doctor_persons
    from wait_figures
    union all
    select 'wait_pc_within_guarantee', area_code, period_grain, period_start, pc_within, pc_judged,
        pc_within::double / nullif(pc_judged, 0), pc_judged_persons
    from wait_figures
    union all
    select 'wait_pc_median_days', area_code, period_grain, period_start, null::bigint, null::bigint, pc_median,
        pc_wait_persons
    from wait_figures
    union all
    select 'wait_dentist_over_21d', area_code, period_grain, period_start, dentist_over_21, dentist_visits,
        dentist_over_21::double / nullif(dentist_visits, 0), dentist_persons
    from wait_figures
    union all
    select 'wait_oral_within_guarantee', area_code, period_grain, period_start, oral_within, oral_judged,
        oral_within::double / nullif(oral_judged, 0), oral_judged_persons
    from wait_figures
    union all
    -- Annualised: visits per 1,000 person-years of the municipality-months with data.
    select 'visits_pc_per_1000', wait_figures.area_code, wait_figures.period_grain, wait_figures.period_start,
        rate_figures.visits, rate_figures.person_years,
        1000.0 * rate_figures.visits / nullif(rate_figures.person_years, 0), pc_visit_persons
    from wait_figures
    left join rate_figures
        on wait_figures.area_code = rate_figures.area_code
        and wait_figures.period_grain = rate_figures.period_grain
        and wait_figures.period_start = rate_figures.period_start
    union all
    select 'contacts_answered', area_code, period_grain, period_start, answered, contacts,
        answered::double / nullif(contacts, 0), null
    from contact_figures
    union all
    select 'contacts_digital', area_code, period_grain, period_start, digital, contacts,
        digital::double / nullif(contacts, 0), null
    from contact_figures
    union all
    select 'intervention_completion', area_code, period_grain, period_start, completed, enrolled,
        completed::double / nullif(enrolled, 0), persons
    from enrolment_figures
    union all
    select 'rai_maple_high', area_code, period_grain, period_start, high, assessed,
        high::double / nullif(assessed, 0), assessed
    from maple_figures
    union all
    select 'data_coverage', area_code, period_grain, period_start, accepted, expected,
        accepted::double / nullif(expected, 0), null
    from delivery_figures
)

select * from figures
where {{ in_rebuilt_periods('period_start', 'period_grain') }}
