{% test no_small_unsuppressed_counts(model, count_expression, suppression_flag='is_suppressed') %}
-- Visits are at least as many as the clients behind them: a cell whose visits number 1–4 describes 1–4
-- persons and must be suppressed (methods.md, "Suppression").
select * from {{ model }}
where not {{ suppression_flag }} and ({{ count_expression }}) between 1 and 4
{% endtest %}
