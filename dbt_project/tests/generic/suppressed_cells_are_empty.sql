{% test suppressed_cells_are_empty(model, column_name, value_columns) %}
-- A suppressed cell shows no value computed from its rows (methods.md, "Suppression").
select * from {{ model }}
where {{ column_name }}
  and ({% for column in value_columns %}{{ column }} is not null{% if not loop.last %} or {% endif %}{% endfor %})
{% endtest %}
