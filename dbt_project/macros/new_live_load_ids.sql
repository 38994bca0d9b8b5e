{#
  The load ids of a source's live files whose rows are not in `relation` yet, as a SQL list of literals
  (`null` when there are none, so `load_id in (null)` selects nothing). Decided at compile time, so the
  Parquet reader skips every other file by its statistics instead of reading it.
#}
{% macro new_live_load_ids(source_name, relation) %}
    {%- set ids = [] -%}
    {%- if execute -%}
        {%- set query -%}
            select load_id from {{ ref('stg_ingest__load_log') }}
            where source = '{{ source_name }}' and is_live
                and load_id not in (select distinct load_id from {{ relation }})
            order by load_id
        {%- endset -%}
        {%- set ids = run_query(query).columns[0].values() | list -%}
    {%- endif -%}
    {%- if ids -%}
        {%- for id in ids %}'{{ id | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    {%- else -%}
        null
    {%- endif -%}
{% endmacro %}
