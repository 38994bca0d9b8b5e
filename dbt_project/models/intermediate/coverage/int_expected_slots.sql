-- Every (source, municipality, period) a delivery is expected for: from the municipality's
-- deliveries_expected_from up to the source's as-of period (pipeline.md, "Coverage and reliability").
with

as_of as (
    select * from {{ ref('int_source_as_of') }} where as_of_period_start is not null
),

municipalities as (
    select * from {{ ref('municipalities') }}
),

final as (
    select
        as_of.source,
        as_of.grain as period_grain,
        municipalities.code as municipality_code,
        period.period_start::date as period_start
    from as_of
    cross join municipalities
    cross join lateral (
        select unnest(generate_series(
            date_trunc(as_of.grain, municipalities.deliveries_expected_from)::date,
            as_of.as_of_period_start,
            case when as_of.grain = 'year' then interval 1 year else interval 1 month end
        )) as period_start
    ) as period
)

select * from final
