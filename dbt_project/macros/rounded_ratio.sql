{#-
  numerator / denominator rounded half up to `scale` decimals, or null when the denominator is 0.
  Integer arithmetic keeps it exact and identical on every engine: Postgres divides integers
  exactly, DuckDB divides them as doubles, and the two would round ties differently.
  Both arguments must be non-negative integers.
-#}
{% macro rounded_ratio(numerator, denominator, scale) -%}
    {%- set factor = 10 ** scale -%}
    case
        when ({{ denominator }}) = 0 then null
        else floor((2 * {{ factor }} * ({{ numerator }}) + ({{ denominator }})) / (2 * ({{ denominator }}))) / {{ factor }}.0
    end
{%- endmacro %}
