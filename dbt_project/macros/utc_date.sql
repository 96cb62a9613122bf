{#-
  The UTC calendar date of a timestamptz. Casting a timestamptz to date straight away uses the
  session time zone, which differs between machines and engines; both Postgres and DuckDB
  (with its bundled ICU extension) read `at time zone 'UTC'` as "the wall clock in UTC".
-#}
{% macro utc_date(timestamptz_expression) -%}
    cast(({{ timestamptz_expression }}) at time zone 'UTC' as date)
{%- endmacro %}
