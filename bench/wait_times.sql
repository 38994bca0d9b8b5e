-- The bare reference for marts.wait_times: one DuckDB script from the landed avohilmo CSVs to the same
-- rows (municipality and welfare area × month × service line × professional group; methods.md,
-- "Waiting times").
-- A benchmark reference, not product code: bench/run.py times it beside `tiedolla run` and checks once that
-- its figures equal the published marts.
--
-- Set by the caller (bench/reference.py) with SET VARIABLE:
--   utf8_files, latin1_files   the live file of every municipality-month (lists of paths), by encoding; each
--                              list starts with a header-only file naming every Finnish and Swedish column,
--                              so both lists are non-empty and every column exists
--   seeds_dir                  dbt_project/seeds (service lines, professional groups, care guarantee, …)
-- File-level decisions (which version is live, which files are quarantined, each file's encoding) are
-- taken from the load log; everything per row (parsing, row rules, de-duplication, aggregation) is here.
-- Delimiters, quoting and header names are DuckDB's own auto-detection, file by file.

create or replace table wait_times as

with

landed as (
    select * from read_csv(getvariable('utf8_files'), header = true, all_varchar = true,
        union_by_name = true, filename = true)
    union all by name
    select * from read_csv(getvariable('latin1_files'), header = true, all_varchar = true,
        union_by_name = true, filename = true, encoding = 'latin-1')
),

service_lines as (
    select palvelumuoto, service_line
    from read_csv(getvariable('seeds_dir') || '/service_lines.csv', all_varchar = true)
),

professional_groups as (
    select occupation_prefix, professional_group
    from read_csv(getvariable('seeds_dir') || '/professional_groups.csv', all_varchar = true)
),

care_guarantee as (
    select service_line, age_min::integer as age_min, age_max::integer as age_max,
        valid_from::date as valid_from, valid_to::date as valid_to, days::integer as days
    from read_csv(getvariable('seeds_dir') || '/care_guarantee.csv', all_varchar = true)
),

municipalities as (
    select code, welfare_area_code
    from read_csv(getvariable('seeds_dir') || '/municipalities.csv', all_varchar = true)
),

cells as (
    select service_line, professional_group
    from read_csv(getvariable('seeds_dir') || '/wait_time_cells.csv', all_varchar = true)
),

thresholds as (
    select suppress_min_persons::integer as suppress_min, suppress_max_persons::integer as suppress_max
    from read_csv(getvariable('seeds_dir') || '/reliability_thresholds.csv', all_varchar = true)
),

fields as (
    -- Finnish or Swedish header; empty or blank = missing.
    select
        filename,
        regexp_extract(filename, 'avohilmo_(\d{3})_\d{4}-\d{2}', 1) as municipality_code,
        regexp_extract(filename, 'avohilmo_\d{3}_(\d{4}-\d{2})', 1) as file_month,
        nullif(trim(coalesce(kaynti_id, besok_id)), '') as visit_id,
        nullif(trim(coalesce(asiakas_tunniste, klient_id)), '') as client_id,
        nullif(trim(coalesce(kotikunta, hemkommun)), '') as home_code,
        nullif(trim(coalesce(ika, alder)), '') as age_text,
        nullif(trim(coalesce(yksikko, enhet)), '') as unit,
        nullif(trim(coalesce(palvelumuoto, serviceform)), '') as service_type,
        nullif(trim(coalesce(ammatti, yrke)), '') as occupation_code,
        nullif(trim(coalesce(yhteystapa, kontaktsatt)), '') as contact_type,
        nullif(trim(coalesce(kiireellisyys, bradskande)), '') as urgency,
        nullif(trim(coalesce(yhteydenotto_pvm, kontakt_datum)), '') as contact_text,
        nullif(trim(coalesce(hoidon_tarve_pvm, vardbehov_datum)), '') as assessment_text,
        nullif(trim(coalesce(kaynti_pvm, besok_datum)), '') as visit_text
    from landed
),

typed as (
    select
        *,
        coalesce(try_strptime(contact_text, '%d.%m.%Y'), try_strptime(contact_text, '%Y-%m-%d'))::date
            as contact_date,
        coalesce(try_strptime(assessment_text, '%d.%m.%Y'), try_strptime(assessment_text, '%Y-%m-%d'))::date
            as assessment_date,
        coalesce(try_strptime(visit_text, '%d.%m.%Y'), try_strptime(visit_text, '%Y-%m-%d'))::date
            as visit_date,
        try_cast(replace(age_text, ',', '.') as double) as age
    from fields
),

valid as (
    -- The row rules of avohilmo.md that a visit must pass (a rejected line counts nowhere).
    select * from typed
    where visit_id is not null and client_id is not null and unit is not null
        and age is not null and regexp_full_match(age_text, '[+-]?\d+([.,]0+)?') and age between 0 and 120
        and regexp_full_match(service_type, 'T\d{2}')
        and regexp_full_match(occupation_code, '\d{4}')
        and regexp_full_match(contact_type, 'R\d{2}')
        and urgency in ('1', '2')
        and (home_code is null or regexp_full_match(home_code, '\d{3}'))
        and (contact_text is null or contact_date is not null)
        and (assessment_text is null or assessment_date is not null)
        and visit_date is not null
        and strftime(visit_date, '%Y-%m') = file_month
        and (assessment_date is null
            or (assessment_date <= visit_date and date_diff('day', assessment_date, visit_date) <= 730))
),

visits as (
    -- A repeated id within a file is one visit (DuckDB's CSV scan has no line number, so which line is kept
    -- is arbitrary; the pipeline keeps the later line, and the sample's repeats differ only in contact type).
    select * from valid
    qualify row_number() over (partition by filename, visit_id) = 1
),

nonurgent as (
    -- The waiting-time population: non-urgent visits of a service line of the seed (T11, T60).
    select visits.*, service_lines.service_line
    from visits
    inner join service_lines on visits.service_type = service_lines.palvelumuoto
    where visits.urgency = '2'
),

grouped as (
    -- The longest matching occupation-code prefix decides the professional group; no match = 'other'.
    select
        nonurgent.municipality_code,
        nonurgent.client_id,
        nonurgent.service_line,
        coalesce(professional_groups.professional_group, 'other') as professional_group,
        date_trunc('month', nonurgent.visit_date)::date as period_start,
        nonurgent.assessment_date is not null as is_assessed,
        date_diff('day', nonurgent.assessment_date, nonurgent.visit_date) as wait_days,
        nonurgent.age::integer as age,
        nonurgent.assessment_date
    from nonurgent
    left join professional_groups
        on starts_with(nonurgent.occupation_code, professional_groups.occupation_prefix)
    qualify row_number() over (
        partition by nonurgent.filename, nonurgent.visit_id
        order by length(professional_groups.occupation_prefix) desc nulls last
    ) = 1
),

judged as (
    -- Each visit against the limit in force on its needs-assessment date for its age.
    select
        grouped.*,
        grouped.wait_days <= care_guarantee.days as within_guarantee
    from grouped
    left join care_guarantee
        on grouped.service_line = care_guarantee.service_line
        and grouped.wait_days is not null
        and grouped.age between care_guarantee.age_min and care_guarantee.age_max
        and grouped.assessment_date >= care_guarantee.valid_from
        and (care_guarantee.valid_to is null or grouped.assessment_date <= care_guarantee.valid_to)
),

in_cells as (
    -- Each visit counts in its municipality and its welfare area, in its own group and in 'all'.
    select judged.*, area.area_code, area.area_level, cells.professional_group as cell_group
    from judged
    inner join municipalities on judged.municipality_code = municipalities.code
    cross join lateral (
        select judged.municipality_code as area_code, 'municipality' as area_level
        union all
        select municipalities.welfare_area_code, 'welfare_area'
    ) as area
    inner join cells
        on judged.service_line = cells.service_line
        and (cells.professional_group = judged.professional_group or cells.professional_group = 'all')
),

counts as (
    select
        area_code,
        area_level,
        period_start,
        service_line,
        cell_group as professional_group,
        count(distinct client_id) as persons,
        count(*) filter (where is_assessed) as visits_nonurgent,
        count(*) filter (where not is_assessed) as visits_nonurgent_unassessed,
        quantile_cont(wait_days, 0.5) filter (where is_assessed) as median_wait_days,
        quantile_cont(wait_days, 0.9) filter (where is_assessed) as p90_wait_days,
        count(*) filter (where wait_days <= 7) as within_7d,
        count(*) filter (where wait_days <= 14) as within_14d,
        count(*) filter (where wait_days <= 21) as within_21d,
        count(*) filter (where wait_days > 90) as over_90d,
        count(*) filter (where wait_days > 180) as over_180d,
        count(*) filter (where within_guarantee) as within_guarantee,
        count(*) filter (where within_guarantee is not null) as judged_against_guarantee
    from in_cells
    group by all
),

statistics as (
    select
        * exclude (within_7d, within_14d, within_21d, over_90d, over_180d, within_guarantee,
            judged_against_guarantee),
        within_7d / nullif(visits_nonurgent, 0) as share_within_7d,
        within_14d / nullif(visits_nonurgent, 0) as share_within_14d,
        within_21d / nullif(visits_nonurgent, 0) as share_within_21d,
        over_90d / nullif(visits_nonurgent, 0) as share_over_90d,
        over_180d / nullif(visits_nonurgent, 0) as share_over_180d,
        within_guarantee / nullif(judged_against_guarantee, 0) as share_within_guarantee
    from counts
)

-- A cell of 1–4 persons: every value NULL (methods.md, "Suppression").
select
    statistics.area_code,
    statistics.area_level,
    statistics.period_start,
    statistics.service_line,
    statistics.professional_group,
    case when suppressed then null else visits_nonurgent end as visits_nonurgent,
    case when suppressed then null else visits_nonurgent_unassessed end as visits_nonurgent_unassessed,
    case when suppressed then null else median_wait_days end as median_wait_days,
    case when suppressed then null else p90_wait_days end as p90_wait_days,
    case when suppressed then null else share_within_7d end as share_within_7d,
    case when suppressed then null else share_within_14d end as share_within_14d,
    case when suppressed then null else share_within_21d end as share_within_21d,
    case when suppressed then null else share_over_90d end as share_over_90d,
    case when suppressed then null else share_over_180d end as share_over_180d,
    case when suppressed then null else share_within_guarantee end as share_within_guarantee,
    suppressed as is_suppressed
from statistics
cross join thresholds
cross join lateral (select persons between thresholds.suppress_min and thresholds.suppress_max as suppressed);
