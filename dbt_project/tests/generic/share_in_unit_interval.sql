{% test share_in_unit_interval(model, column_name) %}
-- Shares are fractions 0–1, never percent (marts.md, "Conventions").
select {{ column_name }} from {{ model }}
where {{ column_name }} < 0 or {{ column_name }} > 1
{% endtest %}
