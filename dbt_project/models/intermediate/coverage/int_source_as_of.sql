-- The month (year, for yearly sources) each source's marts run to: the latest period with an accepted
-- file, or the run's --as-of month. The wall clock never enters.
with

load_log as (
    select * from {{ ref('stg_ingest__load_log') }}
),

expected_sources as (
    select * from {{ ref('expected_sources') }}
),

latest_accepted as (
    select
        source,
        max(case when length(period) = 4 then (period || '-01-01')::date else (period || '-01')::date end)
            as latest_period_start
    from load_log
    where status = 'accepted'
    group by source
),

final as (
    select
        expected_sources.source,
        expected_sources.grain,
        expected_sources.scope,
        case
            -- A source that never delivered has no slots, --as-of or not.
            when latest_accepted.latest_period_start is null then null
            when {{ as_of_override() }} is null then latest_accepted.latest_period_start
            when expected_sources.grain = 'year' then date_trunc('year', {{ as_of_override() }})::date
            else {{ as_of_override() }}
        end as as_of_period_start
    from expected_sources
    left join latest_accepted on expected_sources.source = latest_accepted.source
)

select * from final
