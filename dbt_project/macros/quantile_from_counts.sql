{#- Exact quantiles of a whole-number column from its counts, for groups too large to hold every value.
    quantile_cont keeps each group's values in memory outside DuckDB's buffer manager, which cannot spill
    (out of memory at ten times the region's visits, issue 7). Counting the rows per group and value is an
    ordinary aggregate that spills, and a group's distinct waiting days are a few hundred at most.

    `value_counts(relation, keys, value, where, weight)`: a CTE body, one row per group and value (of the rows
    meeting `where`) with `n`, the running count `running_n` (rows up to and including this value) and the
    group's `total_n`. `weight`: a column of `relation` that already counts rows (each row stands for that
    many); none = each row counts once.
    `quantile_from_counts(q, value)`: the aggregate over those rows, grouped by the keys, equal to
    quantile_cont(value, q) bit for bit: DuckDB interpolates lo * (1 - d) + hi * d between the values at 0-based
    positions floor(h) and ceil(h), h = (n - 1) * q (tests/dbt/test_quantile_from_counts.py). -#}
{% macro value_counts(relation, keys, value, where='true', weight=none) %}
    select {{ keys | join(', ') }}, {{ value }}, n,
        sum(n) over (partition by {{ keys | join(', ') }} order by {{ value }}) as running_n,
        sum(n) over (partition by {{ keys | join(', ') }}) as total_n
    from (
        select {{ keys | join(', ') }}, {{ value }}, {% if weight %}sum({{ weight }})::bigint{% else %}count(*){% endif %} as n
        from {{ relation }}
        where {{ value }} is not null and ({{ where }})
        group by all
    )
{% endmacro %}

{% macro quantile_from_counts(q, value) -%}
    {%- set position = "((max(total_n) - 1) * " ~ q ~ "::double)" -%}
    {%- set fraction = "(" ~ position ~ " - floor(" ~ position ~ "))" -%}
    (min({{ value }}) filter (where running_n > floor((total_n - 1) * {{ q }}::double)) * (1 - {{ fraction }})
        + min({{ value }}) filter (where running_n > ceil((total_n - 1) * {{ q }}::double)) * {{ fraction }})
{%- endmacro %}
