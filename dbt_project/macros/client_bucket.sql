{#- One bit of 64 chosen by the hash of a client id (NULL for NULL): bit_or over a group's rows marks the
    buckets its clients fall in, and bit_count of that is a lower bound of its distinct clients that merges
    across municipalities and months as counts do (models/intermediate/waiting/int_wait_visit_counts.sql). -#}
{% macro client_bucket(client_id) -%}
    (1::ubigint << (hash({{ client_id }}) % 64)::integer)
{%- endmacro %}
