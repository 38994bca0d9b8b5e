{% test unique_combination(model, combination_of_columns) %}
-- The grain of a table: no two rows share these columns (what dbt_utils.unique_combination_of_columns does).
select {{ combination_of_columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
