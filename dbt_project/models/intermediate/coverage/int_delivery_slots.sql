-- What arrived for each (source, municipality, period): files by content, quarantines, the live version's
-- line counts, failed checks. Population files are regional: each one counts for every municipality, and a
-- municipality's slot is accepted when the live file has rows for it (registries.md). Region-wide sources
-- (contacts) fill one slot keyed by the welfare-area code. A regional file counts as received by the
-- municipalities it has rows for (all of them when it was quarantined and its rows are unknown). A blocking
-- failure counts against the slot only on the live version or a later one: a fixed resubmission makes the
-- slot good again, a broken correction of a live file does not.
with

load_log as (
    select * from {{ ref('stg_ingest__load_log') }}
    where period is not null
),

check_results as (
    select * from {{ ref('stg_ingest__check_results') }}
),

residents as (
    select * from {{ ref('stg_population__residents') }}
),

municipalities as (
    select code, welfare_area_code from {{ ref('municipalities') }}
),

expected_sources as (
    select source, scope from {{ ref('expected_sources') }}
),

files as (
    select
        load_log.*,
        expected_sources.scope,
        case when length(period) = 4 then (period || '-01-01')::date else (period || '-01')::date end
            as period_start
    from load_log
    inner join expected_sources on load_log.source = expected_sources.source
),

file_slots as (
    -- Files named by municipality belong to that municipality; regional files to every municipality.
    select files.*, files.municipality_code as slot_municipality
    from files
    where files.municipality_code is not null
    union all
    select files.*, municipalities.code as slot_municipality
    from files
    cross join municipalities
    where files.municipality_code is null and files.scope = 'municipality'
        and (files.status <> 'accepted'
            or list_contains(string_split(coalesce(files.municipalities_in_rows, ''), ','), municipalities.code))
    union all
    select distinct files.*, municipalities.welfare_area_code as slot_municipality
    from files
    cross join municipalities
    where files.municipality_code is null and files.scope = 'region'
),

failed_checks as (
    select load_id, check_name, severity
    from check_results
    where status in ('failed', 'error')
),

population_rows as (
    select municipality_code, make_date(year, 1, 1) as period_start, count(*) as rows_in_live_file
    from residents
    group by 1, 2
),

ranked_files as (
    -- The rank of the slot's live file: (version, load order), as staging decides the live version.
    select
        file_slots.*,
        max(case when file_slots.is_live then file_slots.file_version * 1000000 + file_slots.load_seq end)
            over (partition by file_slots.source, file_slots.slot_municipality, file_slots.period_start)
            as live_rank
    from file_slots
),

slots as (
    select
        file_slots.source,
        file_slots.slot_municipality as municipality_code,
        file_slots.period_start,
        count(distinct file_slots.load_id) as files_received,
        count(distinct file_slots.load_id) filter (where file_slots.status = 'quarantined') as files_quarantined,
        max(file_slots.loaded_at) as last_delivery_at,
        bool_or(file_slots.is_live) as has_live_file,
        sum(file_slots.data_lines) filter (where file_slots.is_live) as live_data_lines,
        sum(file_slots.rows_rejected) filter (where file_slots.is_live) as live_rows_rejected,
        count(distinct failed_checks.check_name) as failed_checks,
        coalesce(bool_or(failed_checks.severity = 'blocking' and (file_slots.live_rank is null
            or file_slots.file_version * 1000000 + file_slots.load_seq >= file_slots.live_rank)), false)
            as blocking_check_failed
    from ranked_files as file_slots
    left join failed_checks on file_slots.load_id = failed_checks.load_id
    group by 1, 2, 3
),

final as (
    select
        slots.source,
        slots.municipality_code,
        slots.period_start,
        slots.files_received,
        slots.files_quarantined,
        slots.last_delivery_at,
        case
            when slots.source = 'population' then population_rows.rows_in_live_file is not null
            else slots.has_live_file
        end as is_accepted,
        case
            when slots.source = 'population' then coalesce(population_rows.rows_in_live_file, 0)
            else coalesce(slots.live_data_lines, 0)
        end as rows_received,
        -- A rejected population line cannot be told apart by municipality: it counts in the region's row.
        case when slots.source = 'population' then 0 else coalesce(slots.live_rows_rejected, 0) end
            as rows_rejected,
        slots.failed_checks,
        slots.blocking_check_failed
    from slots
    left join population_rows
        on slots.source = 'population'
        and slots.municipality_code = population_rows.municipality_code
        and slots.period_start = population_rows.period_start
)

select * from final
