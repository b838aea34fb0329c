{#
  The daily report of one level: the staging rows of DAY granularity, one per entity, day (and
  targeting value) and attribution setting, with names, the account's currency and time zone
  joined on and the ratios computed here once. Nothing is summed: every row is one row
  Pinterest reported, so rows of other settings or granularities are never added together.
#}

{% macro pinterest_ratios(prefix="") %}
    {{ pinterest_ratio(prefix ~ "clicks", prefix ~ "impressions") }} as ctr,
    {{ pinterest_ratio(prefix ~ "spend", prefix ~ "clicks") }} as cpc,
    {{ pinterest_ratio(prefix ~ "spend", prefix ~ "impressions", 1000) }} as cpm,
    {{ pinterest_ratio(prefix ~ "conversion_value", prefix ~ "spend") }} as roas
{%- endmacro %}

{% macro pinterest_keyword_parent(parent_type) %}
    {#- A keyword's ad group or campaign: its parent when it is one, else the reported id. -#}
    case
        when keywords.parent_type = '{{ parent_type }}' then keywords.parent_id
        else analytics.{{ parent_type }}_id
    end
{%- endmacro %}

{% macro pinterest_daily_report(level, targeting=false) %}
{%- set analytics = ref("stg_pinterest__" ~ level ~ ("_targeting" if targeting else "") ~ "_analytics") -%}
with analytics as (
    select * from {{ analytics }}
    where granularity = 'DAY'
),

{%- if level == "ad" %}
ads as (select * from {{ ref("stg_pinterest__ads") }}),
pins as (select * from {{ ref("stg_pinterest__pins") }}),
{%- endif %}
{%- if level == "keyword" %}
keywords as (select * from {{ ref("stg_pinterest__keywords") }}),
{%- endif %}
{%- if level in ("ad", "ad_group", "keyword") %}
ad_groups as (select * from {{ ref("stg_pinterest__ad_groups") }}),
{%- endif %}
{%- if level != "ad_account" %}
campaigns as (select * from {{ ref("stg_pinterest__campaigns") }}),
{%- endif %}
accounts as (select * from {{ ref("stg_pinterest__ad_accounts") }}),

joined as (
    select
        analytics.date_day,
        {%- if level == "ad" %}
        analytics.ad_id,
        ads.ad_name,
        ads.pin_id,
        pins.pin_title,
        coalesce(ads.ad_group_id, analytics.ad_group_id) as ad_group_id,
        {%- elif level == "keyword" %}
        analytics.keyword_id,
        keywords.keyword_text,
        keywords.match_type,
        {{ pinterest_keyword_parent("ad_group") }} as ad_group_id,
        {%- elif level == "ad_group" %}
        analytics.ad_group_id,
        {%- endif %}
        {%- if level in ("ad", "ad_group", "keyword") %}
        ad_groups.ad_group_name,
        {%- if level == "keyword" %}
        coalesce(ad_groups.campaign_id, {{ pinterest_keyword_parent("campaign") }}) as campaign_id,
        {%- else %}
        coalesce(ad_groups.campaign_id, analytics.campaign_id) as campaign_id,
        {%- endif %}
        {%- elif level == "campaign" %}
        analytics.campaign_id,
        {%- endif %}
        {%- if level != "ad_account" %}
        campaigns.campaign_name,
        {%- endif %}
        analytics.ad_account_id,
        accounts.ad_account_name,
        accounts.currency,
        accounts.time_zone,
        {%- if targeting %}
        analytics.targeting_type,
        analytics.targeting_value,
        {%- endif %}
        analytics.granularity,
        analytics.click_window_days,
        analytics.engagement_window_days,
        analytics.view_window_days,
        analytics.conversion_report_time,
        analytics.spend_micro,
        analytics.spend,
        analytics.impressions,
        analytics.clicks,
        analytics.outbound_clicks,
        analytics.engagements,
        analytics.saves,
        analytics.conversions,
        analytics.conversion_value_micro,
        analytics.conversion_value
    from analytics
    {%- if level == "ad" %}
    left join ads on ads.ad_id = analytics.ad_id
    left join pins on pins.pin_id = ads.pin_id
    left join ad_groups on ad_groups.ad_group_id = coalesce(ads.ad_group_id, analytics.ad_group_id)
    {%- elif level == "keyword" %}
    left join keywords on keywords.keyword_id = analytics.keyword_id
    left join ad_groups on ad_groups.ad_group_id = {{ pinterest_keyword_parent("ad_group") }}
    {%- elif level == "ad_group" %}
    left join ad_groups on ad_groups.ad_group_id = analytics.ad_group_id
    {%- endif %}
    {%- if level in ("ad", "ad_group", "keyword") %}
    left join campaigns
        on campaigns.campaign_id = coalesce(
            ad_groups.campaign_id,
            {{ pinterest_keyword_parent("campaign") if level == "keyword" else "analytics.campaign_id" }}
        )
    {%- elif level == "campaign" %}
    left join campaigns on campaigns.campaign_id = analytics.campaign_id
    {%- endif %}
    left join accounts on accounts.ad_account_id = analytics.ad_account_id
)

select
    {%- set id_column = "ad_account_id" if level == "ad_account" else level ~ "_id" %}
    {%- set parts = [id_column, "date_day"] + (["targeting_type", "targeting_value"] if targeting else []) + ["click_window_days", "engagement_window_days", "view_window_days", "conversion_report_time"] %}
    {% for part in parts -%}
    coalesce(cast({{ part }} as {{ dbt.type_string() }}), '')
    {%- if not loop.last %} || '|' || {% endif %}
    {%- endfor %} as report_key,
    *,
    {{ pinterest_ratios() }}
from joined
{% endmacro %}
