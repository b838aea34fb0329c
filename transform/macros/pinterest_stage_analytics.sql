{#
  One staging select for every ads analytics stream (the four levels, keywords, and the
  targeting breakdowns): ids as text, DATE as a date, the settings the numbers were counted
  under kept (granularity and the attribution windows and report time), the metrics the
  reports use in snake_case, micro-currency both as micro-units and as currency units.
  One row per the stream's primary key; with an append-only load the newest load wins.
#}
{% macro pinterest_stage_analytics(table, id_columns, targeting=false) %}
{%- set relation = source("pinterest", table) -%}
{%- set c = pinterest_columns(relation) -%}
{%- set key = [id_columns[0], "DATE"] -%}
{%- if pinterest_has(c, "HOUR") %}{% do key.append("HOUR") %}{% endif -%}
{%- if targeting %}{% do key.extend(["targeting_type", "targeting_value"]) %}{% endif -%}
with source as (
    select
        *,
        {{ pinterest_latest(c, key, []) }} as version_rank
    from {{ relation }}
),

typed as (
    select
        {{ pinterest_text(c, "ad_account_id") }} as ad_account_id,
        {%- for id_column in id_columns if id_column != "ad_account_id" %}
        {{ pinterest_text(c, id_column) }} as {{ id_column | lower }},
        {%- endfor %}
        cast({{ pinterest_col(c, "DATE") }} as date) as date_day,
        cast({{ pinterest_col(c, "HOUR") }} as {{ dbt.type_int() }}) as hour_of_day,
        {%- if targeting %}
        {{ pinterest_text(c, "targeting_type") }} as targeting_type,
        {{ pinterest_text(c, "targeting_value") }} as targeting_value,
        {%- endif %}
        {{ pinterest_text(c, "GRANULARITY") }} as granularity,
        cast({{ pinterest_col(c, "CLICK_WINDOW_DAYS") }} as {{ dbt.type_int() }}) as click_window_days,
        cast({{ pinterest_col(c, "ENGAGEMENT_WINDOW_DAYS") }} as {{ dbt.type_int() }}) as engagement_window_days,
        cast({{ pinterest_col(c, "VIEW_WINDOW_DAYS") }} as {{ dbt.type_int() }}) as view_window_days,
        {{ pinterest_text(c, "CONVERSION_REPORT_TIME") }} as conversion_report_time,
        {{ pinterest_micro(c, "SPEND_IN_MICRO_DOLLAR") }} as spend_micro,
        {{ pinterest_count(c, ["IMPRESSION_1", "IMPRESSION_2"]) }} as impressions,
        {{ pinterest_count(c, ["CLICKTHROUGH_1", "CLICKTHROUGH_2"]) }} as clicks,
        {{ pinterest_count(c, ["OUTBOUND_CLICK_1", "OUTBOUND_CLICK_2"]) }} as outbound_clicks,
        {{ pinterest_count(c, ["ENGAGEMENT_1", "ENGAGEMENT_2"]) }} as engagements,
        {{ pinterest_count(c, ["REPIN_1", "REPIN_2"]) }} as saves,
        {{ pinterest_amount(c, "TOTAL_CONVERSIONS") }} as conversions,
        {{ pinterest_micro(c, "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR") }} as conversion_value_micro
    from source
    where version_rank = 1
)

select
    {%- set parts = [id_columns[0] | lower, "date_day", "hour_of_day"] + (["targeting_type", "targeting_value"] if targeting else []) %}
    {% for part in parts -%}
    coalesce(cast({{ part }} as {{ dbt.type_string() }}), '')
    {%- if not loop.last %} || '|' || {% endif %}
    {%- endfor %} as analytics_key,
    *,
    {{ pinterest_units("spend_micro") }} as spend,
    {{ pinterest_units("conversion_value_micro") }} as conversion_value
from typed
{% endmacro %}
