-- Our own figures for Sotkanet's waiting-time definitions, per area and year, from the visit rows
-- (the same population as wait_times: non-urgent visits with a needs assessment).
-- Incremental by year: a build recomputes the years from TIEDOLLA_REBUILD_FROM on (macros/rebuilt_periods.sql).
{{ config(
    materialized='incremental',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where year >= year({{ rebuild_from() }}){% endif %}"
) }}
with

visit_counts as (
    select * from {{ ref('int_wait_visit_counts') }}
    where wait_days is not null
        and {{ in_rebuilt_periods("date_trunc('year', visit_month)", "'year'") }}
),

few_client_visits as (
    select * from {{ ref('int_wait_few_client_visits') }}
    where has_wait_days
        and {{ in_rebuilt_periods("date_trunc('year', visit_month)", "'year'") }}
),

thresholds as (
    select * from {{ ref('reliability_thresholds') }}
),

{#- The visits of each figure: primary-care doctors' and dentists' (assessed non-urgent ones, as above). -#}
{%- set groups = {
    'pc_doctor': "service_line = 'primary_care' and professional_group = 'doctor'",
    'dentist': "service_line = 'oral_health' and professional_group = 'dentist'"} %}

-- The figures add up from the visits counted per municipality-month (int_wait_visit_counts), as wait_times.
counts_by_area as (
    {{ in_own_and_welfare_area('visit_counts', level_column='area_level') }}
),

few_clients_by_area as (
    {{ in_own_and_welfare_area('few_client_visits') }}
),

counts as (
    select
        area_code,
        area_level,
        year(visit_month) as year,
        {%- for group, condition in groups.items() %}
        coalesce(bit_count(bit_or(client_buckets) filter (where {{ condition }})), 0) as {{ group }}_buckets,
        {%- endfor %}
        coalesce(sum(visits) filter (where {{ groups.pc_doctor }}), 0)::bigint as pc_doctor_visits,
        coalesce(sum(visits) filter (where {{ groups.pc_doctor }} and wait_days > 7), 0)::bigint as pc_doctor_over_7d,
        coalesce(sum(visits) filter (where {{ groups.pc_doctor }} and wait_days > 90), 0)::bigint
            as pc_doctor_over_90d,
        coalesce(sum(visits) filter (where {{ groups.dentist }}), 0)::bigint as dentist_visits,
        coalesce(sum(visits) filter (where {{ groups.dentist }} and wait_days > 21), 0)::bigint as dentist_over_21d
    from counts_by_area
    group by all
),

few_persons as (
    select
        area_code,
        year(visit_month) as year,
        {%- for group, condition in groups.items() %}
        count(distinct client_id) filter (where {{ condition }}) as {{ group }}_few {{- "," if not loop.last }}
        {%- endfor %}
    from few_clients_by_area
    group by all
),

figures as (
    -- One column of our own per catalog indicator with a Sotkanet counterpart. The persons are exact up to
    -- the largest suppressed size and a lower bound above it (int_wait_few_client_visits): all that
    -- wait_time_benchmarks' suppression asks of them.
    select
        counts.*,
        {%- for group in groups %}
        case when counts.{{ group }}_buckets > thresholds.suppress_max_persons then counts.{{ group }}_buckets
            else coalesce(few_persons.{{ group }}_few, 0) end as {{ group }}_persons {{- "," if not loop.last }}
        {%- endfor %}
    from counts
    cross join thresholds
    left join few_persons using (area_code, year)
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
