-- The customer-service centre by area × month × channel (methods.md, "Contact channels"). A contact's area
-- is its client's home municipality; contacts without one count only in the welfare-area row.
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_periods(\"'month'\") }}") }}
with

contacts as (
    select * from {{ ref('stg_contacts__contacts') }}
    where {{ in_rebuilt_periods("date_trunc('month', started_at)::date", "'month'") }}
),

channels as (
    select * from {{ ref('contact_channel_codes') }}
),

municipalities as (
    select code, welfare_area_code from {{ ref('municipalities') }}
),

coverage as (
    -- contacts is one regional file a month: every area's row rests on the welfare area's slot.
    select * from {{ ref('int_source_coverage') }}
    where source = 'contacts' and area_level = 'welfare_area' and deliveries_expected > 0
        and {{ in_rebuilt_periods('period_start', "'month'") }}
),

areas as (
    select code as area_code, 'municipality' as area_level, welfare_area_code from municipalities
    union all
    select distinct welfare_area_code, 'welfare_area', welfare_area_code from municipalities
),

classified as (
    select
        contacts.home_municipality_code,
        date_trunc('month', contacts.started_at)::date as period_start,
        contacts.channel,
        contacts.is_answered,
        contacts.queue_seconds
    from contacts
    inner join channels on contacts.channel = channels.channel
),

-- Not materialized: read once per aggregate below rather than written out whole (issue 7).
contacts_by_area as not materialized (
    select classified.*, municipalities.code as area_code
    from classified
    inner join municipalities on classified.home_municipality_code = municipalities.code
    union all
    select classified.*, (select min(welfare_area_code) from municipalities) as area_code
    from classified
),

channel_counts as (
    select
        area_code,
        period_start,
        channel,
        count(*) as contacts,
        count(*) filter (where is_answered) as answered
    from contacts_by_area
    group by all
),

-- The median queue from counts per queue second (macros/quantile_from_counts.sql), equal to quantile_cont:
-- an ordinary aggregate that spills to disk, where quantile_cont holds every value in memory (issue 7).
queue_second_counts as (
    {{ value_counts('contacts_by_area', ['area_code', 'period_start', 'channel'], 'queue_seconds',
        'is_answered') }}
),

queue_medians as (
    select area_code, period_start, channel, {{ quantile_from_counts(0.5, 'queue_seconds') }} as median_queue_seconds
    from queue_second_counts
    group by all
),

per_channel as (
    select channel_counts.*, queue_medians.median_queue_seconds
    from channel_counts
    left join queue_medians using (area_code, period_start, channel)
),

per_area as (
    -- A channel is digital or not, so the area's digital contacts add up from its channels'.
    select
        per_channel.area_code,
        per_channel.period_start,
        sum(per_channel.contacts)::bigint as contacts,
        coalesce(sum(per_channel.contacts) filter (where channels.is_digital), 0)::bigint as digital
    from per_channel
    inner join channels on per_channel.channel = channels.channel
    group by all
),

grid as (
    select
        areas.area_code,
        areas.area_level,
        coverage.period_start,
        channels.channel,
        coverage.coverage,
        coverage.reliability
    from coverage
    inner join areas on coverage.area_code = areas.welfare_area_code
    cross join channels
),

final as (
    select
        grid.area_code,
        grid.area_level,
        grid.period_start,
        'month' as period_grain,
        grid.channel,
        coalesce(per_channel.contacts, 0) as contacts,
        per_channel.answered::double / nullif(per_channel.contacts, 0) as share_answered,
        per_channel.median_queue_seconds,
        per_area.digital::double / nullif(per_area.contacts, 0) as share_digital,
        grid.coverage,
        grid.reliability
    from grid
    left join per_channel
        on grid.area_code = per_channel.area_code
        and grid.period_start = per_channel.period_start
        and grid.channel = per_channel.channel
    left join per_area
        on grid.area_code = per_area.area_code
        and grid.period_start = per_area.period_start
)

select * from final
