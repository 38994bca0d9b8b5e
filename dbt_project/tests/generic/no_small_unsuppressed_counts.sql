{% test no_small_unsuppressed_counts(model, column_name, suppression_flag='is_suppressed') %}
-- A count of 1–4 visits cannot come from 5 or more persons: such a cell must be suppressed.
select * from {{ model }}
where not {{ suppression_flag }} and {{ column_name }} between 1 and 4
{% endtest %}
