{#
  Incremental by period (issue 7): a build recomputes the periods that end on or after var('rebuild_from')
  and keeps the others. A period of any grain ends on or after that month exactly when it starts on or after
  the month truncated to its grain. Every figure of a period rests on rows of that period and earlier ones,
  so the kept periods cannot have changed (orchestration/build_record.py decides the month).
  `grain`: a SQL expression for the grain ("'month'", or a column such as period_grain).
#}
{% macro rebuild_from() -%}
    {%- if var('rebuild_from', '') -%} date '{{ var("rebuild_from") }}-01' {%- else -%} null::date {%- endif -%}
{%- endmacro %}

{% macro in_rebuilt_periods(period_start, grain) -%}
    {%- if is_incremental() -%}
        ({{ period_start }} >= date_trunc({{ grain }}, {{ rebuild_from() }}))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{# The pre-hook of such a model: drop the periods about to be recomputed (nothing on a full build). #}
{% macro delete_rebuilt_periods(grain) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ in_rebuilt_periods('period_start', grain) }}
    {%- endif -%}
{%- endmacro %}
