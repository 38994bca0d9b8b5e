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
        contacts.*,
        date_trunc('month', contacts.started_at)::date as period_start,
        channels.is_digital
    from contacts
    inner join channels on contacts.channel = channels.channel
),

contacts_by_area as (
    select classified.*, municipalities.code as area_code
    from classified
    inner join municipalities on classified.home_municipality_code = municipalities.code
    union all
    select classified.*, (select min(welfare_area_code) from municipalities) as area_code
    from classified
),

per_channel as (
    select
        area_code,
        period_start,
        channel,
        count(*) as contacts,
        count(*) filter (where is_answered) as answered,
        quantile_cont(queue_seconds, 0.5) filter (where is_answered) as median_queue_seconds
    from contacts_by_area
    group by 1, 2, 3
),

per_area as (
    select
        area_code,
        period_start,
        count(*) as contacts,
        count(*) filter (where is_digital) as digital
    from contacts_by_area
    group by 1, 2
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
