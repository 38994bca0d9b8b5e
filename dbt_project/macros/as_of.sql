{# The as-of month given to the run ('YYYY-MM' → its first day), or null: each source then ends at its latest accepted month. #}
{% macro as_of_override() -%}
    {%- if var('as_of', '') -%} date '{{ var("as_of") }}-01' {%- else -%} null::date {%- endif -%}
{%- endmacro %}
