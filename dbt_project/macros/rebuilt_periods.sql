{#
  Incremental by period (issue 7): a build recomputes the periods that end on or after the month in the
  environment variable TIEDOLLA_REBUILD_FROM ('YYYY-MM'; unset or empty = every period; '9999-12' = none) and
  keeps the others. An environment variable rather than a dbt var: a new --vars value costs a full parse.
  A period of any grain ends on or after that month exactly when it starts on or after the month truncated to
  its grain. Every figure of a period rests on rows of that period and earlier ones, so the kept periods
  cannot have changed (orchestration/build_record.py decides the month).
  `grain`: a SQL expression for the grain ("'month'", or a column such as period_grain).
#}
{% macro rebuild_from() -%}
    date '{{ env_var("TIEDOLLA_REBUILD_FROM", "") or "0001-01" }}-01'
{%- endmacro %}

{% macro in_rebuilt_periods(period_start, grain) -%}
    {%- if is_incremental() and env_var("TIEDOLLA_REBUILD_FROM", "") -%}
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
