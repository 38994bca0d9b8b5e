-- The documentation of every mart column, read from the YAML beside the models when dbt compiles this
-- model: published with the marts, so a reader of one publication sees the labels that belong to it.
{%- set rows = [] -%}
{%- if execute -%}
  {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.fqn[1] == 'marts' and node.name != this.identifier -%}
    {%- for column in node.columns.values() -%}
      {%- set meta = column.meta or {} -%}
      {%- set texts = [node.name, column.name, column.description, meta.get('label_fi'), meta.get('label_sv'),
                       meta.get('label_en'), meta.get('description_fi'), meta.get('description_sv')] -%}
      {%- set quoted = [] -%}
      {%- for text in texts -%}
        {%- do quoted.append("null" if text is none else "'" ~ (text | string | trim | replace("'", "''")) ~ "'") -%}
      {%- endfor -%}
      {%- do rows.append([quoted[0], loop.index, quoted[1], quoted[2], quoted[3], quoted[4], quoted[5],
                          quoted[6], quoted[7]]) -%}
    {%- endfor -%}
  {%- endfor -%}
{%- endif %}

with

documented as (
    select * from (values
    {%- for row in rows %}
        ({{ row | join(', ') }}){{ "," if not loop.last }}
    {%- endfor %}
    {%- if not rows %}
        (null, null, null, null, null, null, null, null, null)
    {%- endif %}
    ) as t (mart, ordinal, column_name, description, label_fi, label_sv, label_en, description_fi,
            description_sv)
)

select
    mart,
    ordinal::integer as ordinal,
    column_name,
    description,
    label_fi,
    label_sv,
    label_en,
    description_fi::varchar as description_fi,
    description_sv::varchar as description_sv
from documented
where mart is not null
