{#- The rows of `relation` (which has municipality_code) twice, with area_code: once for the municipality whose
    file delivered them, once for that municipality's welfare area. Every area figure adds up this way, so a
    welfare area's row always counts exactly its municipalities' rows. With `level_column`, also that column
    saying 'municipality' or 'welfare_area'. -#}
{% macro in_own_and_welfare_area(relation, level_column=none) %}
    select delivered.*, delivered.municipality_code as area_code
        {%- if level_column %}, 'municipality' as {{ level_column }}{% endif %}
    from {{ relation }} as delivered
    union all
    select delivered.*, municipalities.welfare_area_code as area_code
        {%- if level_column %}, 'welfare_area' as {{ level_column }}{% endif %}
    from {{ relation }} as delivered
    inner join {{ ref('municipalities') }} as municipalities on delivered.municipality_code = municipalities.code
{% endmacro %}
