{#- The one reliability rule (pipeline.md, methods.md revision 2) for an area × period × source or a pooled
    set of them: NULL with nothing expected, `missing` with nothing received, otherwise the thresholds of the
    seed reliability_thresholds (joined as `thresholds`) applied to the smaller of the slot coverage
    (accepted ÷ expected; a thin slot is received, not accepted) and the row coverage (`coverage_rows`, NULL
    when no lines are expected: then the slot coverage alone). `good` also needs no blocking failure. -#}
{% macro reliability_rule(expected, received, accepted, blocking, coverage_rows='null') %}
    case
        when {{ expected }} = 0 then null
        when {{ received }} = 0 then 'missing'
        when least({{ accepted }}::double / {{ expected }},
                coalesce({{ coverage_rows }}, {{ accepted }}::double / {{ expected }})) >= thresholds.good_coverage
            and {{ blocking }} = 0 then 'good'
        when least({{ accepted }}::double / {{ expected }},
                coalesce({{ coverage_rows }}, {{ accepted }}::double / {{ expected }}))
            >= thresholds.partial_min_coverage then 'partial'
        else 'poor'
    end
{% endmacro %}

{#- Row coverage (methods.md revision 2): data lines of accepted slots ÷ the lines expected, at most 1; NULL
    when no lines are expected. -#}
{% macro coverage_rows(lines_accepted, lines_expected) %}
    case when {{ lines_expected }} > 0 then least(1.0, {{ lines_accepted }}::double / {{ lines_expected }}) end
{% endmacro %}
