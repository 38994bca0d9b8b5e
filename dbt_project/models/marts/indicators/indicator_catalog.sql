-- The published catalog of the directors' indicators: the seed, with the target written as a rule.
with

catalog as (
    select * from {{ ref('indicator_definitions') }}
),

final as (
    select
        indicator_id,
        name_fi,
        name_sv,
        name_en,
        unit,
        direction,
        case when target_operator is not null then target_operator || ' ' || target_value::varchar end
            as target_rule,
        target_operator,
        target_value,
        sector,
        source_mart,
        source,
        sotkanet_id,
        coalesce(sotkanet_id_confirmed, false) as sotkanet_id_confirmed,
        guarantee_service_line,
        coalesce(is_person_share, false) as is_person_share,
        maturity_days,
        method_note_fi,
        method_note_sv,
        method_note_en
    from catalog
)

select * from final
