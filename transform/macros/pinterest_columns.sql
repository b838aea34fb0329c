{#
  Column lookup across warehouses. target-duckdb folds names to lower case, target-postgres keeps
  the tap's (UPPER_CASE analytics metrics, lower-case ids and settings), and a narrowed Meltano
  selection leaves columns out. Models name columns in any case through these macros and get the
  quoted name the table really has, or a default (null) when the table lacks it.
#}

{% macro pinterest_columns(relation) %}
  {#- {lower-case name: quoted real name} of a relation's columns (empty while parsing). -#}
  {%- set found = {} -%}
  {%- if execute -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
      {%- do found.update({column.name | lower: adapter.quote(column.name)}) -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return(found) }}
{% endmacro %}

{% macro pinterest_col(columns, name, default="null") %}
  {#- The quoted column `name` (any case), or `default` when the table has no such column. -#}
  {{ return(columns.get(name | lower, default)) }}
{% endmacro %}

{% macro pinterest_has(columns, name) %}
  {{ return((name | lower) in columns) }}
{% endmacro %}

{% macro pinterest_text(columns, name) %}
  {#- An id or label as text (Postgres keeps ids as text; a missing column is a null text). -#}
  cast({{ pinterest_col(columns, name) }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro pinterest_count(columns, names) %}
  {#- The sum of count columns (paid + earned), 0 for a null cell, null if none is loaded. -#}
  {%- set present = [] -%}
  {%- for name in names if pinterest_has(columns, name) -%}
    {%- do present.append("coalesce(" ~ pinterest_col(columns, name) ~ ", 0)") -%}
  {%- endfor -%}
  {%- if present -%}
    cast({{ present | join(" + ") }} as {{ dbt.type_bigint() }})
  {%- else -%}
    cast(null as {{ dbt.type_bigint() }})
  {%- endif -%}
{%- endmacro %}

{% macro pinterest_amount(columns, name) %}
  {#- A fractional metric (conversions may be modelled, so not whole) as decimal(38, 6). -#}
  {%- if pinterest_has(columns, name) -%}
    cast(coalesce({{ pinterest_col(columns, name) }}, 0) as decimal(38, 6))
  {%- else -%}
    cast(null as decimal(38, 6))
  {%- endif -%}
{%- endmacro %}

{% macro pinterest_micro(columns, name) %}
  {#- A micro-currency metric as an exact whole number of micro-units. -#}
  {%- if pinterest_has(columns, name) -%}
    cast(coalesce({{ pinterest_col(columns, name) }}, 0) as {{ dbt.type_bigint() }})
  {%- else -%}
    cast(null as {{ dbt.type_bigint() }})
  {%- endif -%}
{%- endmacro %}

{% macro pinterest_units(micro_expression) %}
  {#- Micro-units (1/1,000,000 of the account's currency) to currency units, exactly. -#}
  cast(cast({{ micro_expression }} as decimal(38, 6)) / 1000000 as decimal(38, 6))
{%- endmacro %}

{% macro pinterest_ratio(numerator, denominator, scale=1) %}
  {#- numerator * scale / denominator, null when the denominator is 0 or null. -#}
  cast(
    cast({{ numerator }} as decimal(38, 6)) * {{ scale }} / nullif({{ denominator }}, 0)
    as decimal(38, 6)
  )
{%- endmacro %}

{% macro pinterest_timestamp(columns, name) %}
  {#- A Unix timestamp in seconds (entity times) as a timestamp with time zone. -#}
  {%- if pinterest_has(columns, name) -%}
    to_timestamp(cast({{ pinterest_col(columns, name) }} as {{ dbt.type_bigint() }}))
  {%- else -%}
    cast(null as {{ dbt.type_timestamp() }})
  {%- endif -%}
{%- endmacro %}

{% macro pinterest_latest(columns, keys, order_by) %}
  {#- row_number() picking one version per key: newest update, then newest load first. -#}
  {%- set partition = [] -%}
  {%- for name in keys -%}
    {%- do partition.append(pinterest_col(columns, name)) -%}
  {%- endfor -%}
  {%- set ordering = [] -%}
  {%- for name in order_by + ["_sdc_batched_at"] if pinterest_has(columns, name) -%}
    {%- do ordering.append(pinterest_col(columns, name) ~ " desc nulls last") -%}
  {%- endfor -%}
  row_number() over (
    partition by {{ partition | join(", ") }}
    {%- if ordering %} order by {{ ordering | join(", ") }}{% endif %}
  )
{%- endmacro %}
