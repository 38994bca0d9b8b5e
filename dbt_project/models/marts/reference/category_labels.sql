-- Every code that appears in a published mart or an export, with its label in Finnish, Swedish and English:
-- the seeds' label columns in one long table, so exports and reports never hard-code a label.
with

vocabulary as (
    select category, code, label_fi, label_sv, label_en from {{ ref('vocabulary_labels') }}
),

service_lines as (
    select 'service_line' as category, service_line as code, label_fi, label_sv, label_en
    from {{ ref('service_lines') }}
),

professional_groups as (
    select distinct 'professional_group' as category, professional_group as code, label_fi, label_sv, label_en
    from {{ ref('wait_time_cells') }}
),

channels as (
    select 'channel' as category, channel as code, label_fi, label_sv, label_en
    from {{ ref('contact_channel_codes') }}
),

interventions as (
    select 'intervention' as category, code, label_fi, label_sv, label_en from {{ ref('interventions') }}
),

measures as (
    select 'measure' as category, code, label_fi, label_sv, label_en from {{ ref('measures') }}
),

segments as (
    select 'segment' as category, segment as code, label_fi, label_sv, label_en from {{ ref('segments') }}
),

indicators as (
    select 'indicator' as category, indicator_id as code, name_fi, name_sv, name_en
    from {{ ref('indicator_definitions') }}
),

-- Names as they are today (dim_area's open-ended row); the names did not change with the organiser.
areas as (
    select 'area' as category, area_code as code, name_fi, name_sv, name_en
    from {{ ref('dim_area') }}
    where valid_to is null
),

export_texts as (
    select 'export_text' as category, text_id as code, label_fi, label_sv, coalesce(label_en, '') as label_en
    from {{ ref('export_texts') }}
),

final as (
    select * from vocabulary
    union all select * from service_lines
    union all select * from professional_groups
    union all select * from channels
    union all select * from interventions
    union all select * from measures
    union all select * from segments
    union all select * from indicators
    union all select * from areas
    union all select * from export_texts
)

select * from final
