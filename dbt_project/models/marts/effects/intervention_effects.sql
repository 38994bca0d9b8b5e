-- Whether the interventions worked: per intervention × measure × area × cohort year (year of the start), the
-- participants' before–after change against a comparison group of non-enrolled clients (methods.md,
-- "Intervention effects"). Statistics: int_intervention_statistics (Python, scipy); suppression, notes and
-- coverage here.
with

statistics as (
    select * from {{ ref('int_intervention_statistics') }}
),

participants as (
    select * from {{ ref('int_intervention_participants') }}
),

coverage as (
    select * from {{ ref('int_coverage_by_period') }}
    where period_grain = 'year' and source in ('interventions', 'outcomes')
),

thresholds as (
    select * from {{ ref('reliability_thresholds') }}
),

pooled_coverage as (
    -- The figures rest on the enrolment and the outcome deliveries of the area and year together.
    select
        area_code,
        period_start,
        sum(deliveries_expected) as expected,
        sum(deliveries_accepted) as accepted,
        sum(deliveries_received) as received,
        sum(expected_with_blocking_failure) as blocking
    from coverage
    group by all
),

joined as (
    select
        statistics.*,
        participants.participants,
        participants.completers,
        pooled_coverage.accepted::double / nullif(pooled_coverage.expected, 0) as coverage,
        case
            when coalesce(pooled_coverage.expected, 0) = 0 then null
            when pooled_coverage.received = 0 then 'missing'
            when pooled_coverage.accepted::double / pooled_coverage.expected >= thresholds.good_coverage
                and pooled_coverage.blocking = 0 then 'good'
            when pooled_coverage.accepted::double / pooled_coverage.expected >= thresholds.partial_min_coverage
                then 'partial'
            else 'poor'
        end as reliability,
        statistics.pairs between thresholds.suppress_min_persons and thresholds.suppress_max_persons
            as is_suppressed,
        thresholds.suppress_min_persons,
        thresholds.suppress_max_persons
    from statistics
    cross join thresholds
    inner join participants using (intervention, area_code, cohort_year)
    left join pooled_coverage
        on statistics.area_code = pooled_coverage.area_code
        and make_date(statistics.cohort_year, 1, 1) = pooled_coverage.period_start
),

final as (
    select
        intervention,
        measure,
        area_code,
        area_level,
        make_date(cohort_year, 1, 1) as period_start,
        'year' as period_grain,
        case when participants between suppress_min_persons and suppress_max_persons then null
            else participants end as participants,
        case when completers between suppress_min_persons and suppress_max_persons then null
            else completers end as completers,
        case when is_suppressed then null else pairs end as pairs,
        {%- for column in ['baseline_mean', 'followup_mean', 'mean_change', 'ci95_low', 'ci95_high',
            'comparison_change', 'did_estimate', 'did_ci95_low', 'did_ci95_high', 'share_improved_mcid'] %}
        case when is_suppressed or isnan({{ column }}) then null else {{ column }} end as {{ column }},
        {%- endfor %}
        case when is_suppressed then null else comparison_pairs end as comparison_pairs,
        case when is_suppressed then 'Alle 5 paria: luvut salattu.'
            else format('Ennen–jälkeen-muutos (n = {} paria) verrattuna ei-osallistuneisiin asiakkaisiin, '
                || 'jotka mitattiin kahdesti 60–240 päivän välein (n = {}); ei satunnaistettu.', pairs,
                comparison_pairs) end as method_note_fi,
        case when is_suppressed then 'Färre än 5 par: siffrorna skyddade.'
            else format('Förändring före–efter (n = {} par) jämfört med icke-deltagande klienter som mätts två '
                || 'gånger med 60–240 dagars mellanrum (n = {}); inte randomiserad.', pairs, comparison_pairs)
            end as method_note_sv,
        case when is_suppressed then 'Fewer than 5 pairs: figures suppressed.'
            else format('Before–after change (n = {} pairs) against non-enrolled clients measured twice '
                || '60–240 days apart (n = {}); not randomised.', pairs, comparison_pairs) end as method_note_en,
        is_suppressed,
        coverage,
        reliability
    from joined
)

select * from final
