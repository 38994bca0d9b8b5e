{#
  The raw Parquet of a source's live files only, as the load log lists them (pipeline.md: "staging reads only
  the files the load log lists as live"). The zero-row `_schema.parquet` ingest writes for every source keeps
  the query valid (and typed) before anything has been accepted.
#}
{% macro live_parquet(source_name) %}
    {%- set paths = [home_path('raw/' ~ source_name ~ '/_schema.parquet')] -%}
    {%- if execute -%}
        {%- set query -%}
            select parquet_path from {{ ref('stg_ingest__load_log') }}
            where source = '{{ source_name }}' and is_live order by parquet_path
        {%- endset -%}
        {%- set paths = paths + run_query(query).columns[0].values() | list -%}
    {%- endif -%}
    read_parquet([
        {%- for path in paths %}'{{ path | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    ], hive_partitioning = false, union_by_name = true)
{% endmacro %}
