-- Every (source, municipality, period) a delivery is expected for: from the municipality's
-- deliveries_expected_from up to the source's as-of period (pipeline.md, "Coverage and reliability").
-- Region-wide sources (contacts) have one slot per period, keyed by the welfare-area code.
with

as_of as (
    select * from {{ ref('int_source_as_of') }} where as_of_period_start is not null
),

municipalities as (
    select * from {{ ref('municipalities') }}
),

slot_owners as (
    select 'municipality' as scope, code as slot_code, deliveries_expected_from from municipalities
    union all
    select 'region' as scope, welfare_area_code as slot_code, min(deliveries_expected_from)
    from municipalities
    group by welfare_area_code
),

final as (
    select
        as_of.source,
        as_of.grain as period_grain,
        as_of.scope,
        slot_owners.slot_code as municipality_code,
        period.period_start::date as period_start
    from as_of
    inner join slot_owners on as_of.scope = slot_owners.scope
    cross join lateral (
        select unnest(generate_series(
            date_trunc(as_of.grain, slot_owners.deliveries_expected_from)::date,
            as_of.as_of_period_start,
            case when as_of.grain = 'year' then interval 1 year else interval 1 month end
        )) as period_start
    ) as period
)

select * from final
