-- Whether the interventions worked: per intervention × measure × area × cohort year (year of the start), the
-- participants' before–after change against a comparison group of clients never enrolled in any intervention
-- measured with the measure (methods.md, "Intervention effects" and "Revision 2"). Statistics:
-- int_intervention_statistics (Python, scipy); suppression, precision, maturity, notes and coverage here.
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

as_of as (
    -- The day follow-up windows are judged at: the last day of the outcomes' as-of month (the follow-up is an
    -- outcome measurement), or of the enrolments' when no outcome file was ever accepted.
    select last_day(coalesce(
        max(as_of_period_start) filter (where source = 'outcomes'),
        max(as_of_period_start) filter (where source = 'interventions')
    )) as as_of_day
    from {{ ref('int_source_as_of') }}
),

pooled_coverage as (
    -- The figures rest on the enrolment and the outcome deliveries of the area and year together.
    select
        area_code,
        period_start,
        sum(deliveries_expected) as expected,
        sum(deliveries_accepted) as accepted,
        sum(deliveries_received) as received,
        sum(expected_with_blocking_failure) as blocking,
        sum(lines_accepted) as lines_accepted,
        sum(lines_expected) as lines_expected
    from coverage
    group by all
),

joined as (
    select
        statistics.*,
        participants.participants,
        participants.completers,
        pooled_coverage.accepted::double / nullif(pooled_coverage.expected, 0) as coverage,
        {{ reliability_rule('coalesce(pooled_coverage.expected, 0)', 'pooled_coverage.received',
            'pooled_coverage.accepted', 'pooled_coverage.blocking',
            coverage_rows('pooled_coverage.lines_accepted', 'pooled_coverage.lines_expected')) }} as reliability,
        statistics.pairs between thresholds.suppress_min_persons and thresholds.suppress_max_persons
            as is_suppressed,
        -- Revision 2: every comparison-based figure hides behind 1–4 comparison clients.
        statistics.comparison_clients between thresholds.suppress_min_persons
            and thresholds.suppress_max_persons as comparison_suppressed,
        -- Completers hide when they or the non-completers are 1–4: either gives the other by subtraction.
        participants.completers between thresholds.suppress_min_persons and thresholds.suppress_max_persons
            or participants.participants - participants.completers
                between thresholds.suppress_min_persons and thresholds.suppress_max_persons
            as completers_suppressed,
        -- Low precision (methods.md revision 2): 5–9 pairs, i.e. above the suppression limit and below 10.
        statistics.pairs between thresholds.suppress_max_persons + 1 and 9 as is_low_precision,
        participants.last_start_date + 240 > as_of.as_of_day as is_provisional,
        thresholds.suppress_min_persons,
        thresholds.suppress_max_persons
    from statistics
    cross join thresholds
    cross join as_of
    inner join participants using (intervention, area_code, cohort_year)
    left join pooled_coverage
        on statistics.area_code = pooled_coverage.area_code
        and make_date(statistics.cohort_year, 1, 1) = pooled_coverage.period_start
),

noted as (
    select
        *,
        not is_suppressed and not comparison_suppressed as shows_comparison,
        case when is_provisional then ' Alustava: seuranta-aika on osalla vielä kesken.' else '' end
            || case when is_low_precision then ' Suuntaa antava (vähän pareja).' else '' end as caveat_fi,
        case when is_provisional then ' Preliminär: uppföljningstiden pågår ännu för några.' else '' end
            || case when is_low_precision then ' Riktgivande (få par).' else '' end as caveat_sv,
        case when is_provisional then ' Provisional: some follow-up windows are still open.' else '' end
            || case when is_low_precision then ' Indicative (few pairs).' else '' end as caveat_en
    from joined
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
        case when completers_suppressed then null else completers end as completers,
        case when is_suppressed then null else pairs end as pairs,
        {%- for column in ['baseline_mean', 'followup_mean', 'mean_change', 'ci95_low', 'ci95_high',
            'comparison_change', 'did_estimate', 'did_ci95_low', 'did_ci95_high', 'share_improved_mcid',
            'comparison_pairs', 'comparison_clients', 'comparison_baseline_mean', 'ancova_estimate',
            'ancova_ci95_low', 'ancova_ci95_high', 'comparison_share_improved_mcid', 'mcid_share_difference',
            'mcid_diff_ci95_low', 'mcid_diff_ci95_high'] %}
        {%- if column in ('baseline_mean', 'followup_mean', 'mean_change', 'ci95_low', 'ci95_high',
            'share_improved_mcid') %}
        case when is_suppressed or isnan({{ column }}) then null else {{ column }} end as {{ column }},
        {%- elif column in ('comparison_pairs', 'comparison_clients') %}
        case when shows_comparison then {{ column }} end as {{ column }},
        {%- else %}
        case when not shows_comparison or isnan({{ column }}) then null else {{ column }} end as {{ column }},
        {%- endif %}
        {%- endfor %}
        case
            when is_suppressed then 'Alle 5 paria: luvut salattu.'
            when comparison_suppressed then format('Ennen–jälkeen-muutos (n = {} paria); vertailuryhmässä alle 5 '
                || 'asiakasta, joten vertailuluvut on salattu; ei satunnaistettu.', pairs) || caveat_fi
            else format('Ennen–jälkeen-muutos (n = {} paria) verrattuna asiakkaisiin, jotka eivät osallistuneet '
                || 'mihinkään tällä mittarilla mitattuun ohjelmaan ja jotka mitattiin kahdesti 60–240 päivän '
                || 'välein (n = {}); ei satunnaistettu.', pairs, comparison_clients) || caveat_fi
        end as method_note_fi,
        case
            when is_suppressed then 'Färre än 5 par: siffrorna skyddade.'
            when comparison_suppressed then format('Förändring före–efter (n = {} par); jämförelsegruppen har färre '
                || 'än 5 klienter, så jämförelsesiffrorna är skyddade; inte randomiserad.', pairs) || caveat_sv
            else format('Förändring före–efter (n = {} par) jämfört med klienter som inte deltagit i något program '
                || 'som mäts med denna mätare och som mätts två gånger med 60–240 dagars mellanrum (n = {}); '
                || 'inte randomiserad.', pairs, comparison_clients) || caveat_sv
        end as method_note_sv,
        case
            when is_suppressed then 'Fewer than 5 pairs: figures suppressed.'
            when comparison_suppressed then format('Before–after change (n = {} pairs); the comparison group has '
                || 'fewer than 5 clients, so its figures are suppressed; not randomised.', pairs) || caveat_en
            else format('Before–after change (n = {} pairs) against clients not enrolled in any programme '
                || 'measured with this measure, measured twice 60–240 days apart (n = {}); not randomised.',
                pairs, comparison_clients) || caveat_en
        end as method_note_en,
        is_suppressed,
        is_low_precision,
        is_provisional,
        -- What the reports show beside the figures (category figure_note; methods.md revision 2).
        case
            when is_provisional and is_low_precision and not is_suppressed then 'provisional_indicative'
            when is_provisional then 'provisional'
            when is_low_precision and not is_suppressed then 'indicative'
        end as figure_note,
        coverage,
        reliability
    from noted
)

select * from final
