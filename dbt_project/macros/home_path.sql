{# Absolute path inside the home folder; the orchestration always sets TIEDOLLA_HOME to an absolute path. #}
{% macro home_path(relative) -%}
    {{ env_var('TIEDOLLA_HOME', '../data') }}/{{ relative }}
{%- endmacro %}
