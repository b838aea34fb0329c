-- Each campaign over the 7 days up to the latest reported day: the totals of its daily rows and
-- the ratios of those totals. Grouped by attribution setting too: never summed across settings.
with report as (
    select * from {{ ref("pinterest_ads__campaign_report") }}
),

window_end as (
    select max(date_day) as last_day from report
),

totals as (
    select
        report.campaign_id,
        report.campaign_name,
        report.ad_account_id,
        report.ad_account_name,
        report.currency,
        report.click_window_days,
        report.engagement_window_days,
        report.view_window_days,
        report.conversion_report_time,
        min(report.date_day) as first_day,
        max(report.date_day) as last_day,
        sum(report.spend) as spend,
        sum(report.impressions) as impressions,
        sum(report.clicks) as clicks,
        sum(report.conversions) as conversions,
        sum(report.conversion_value) as conversion_value
    from report
    cross join window_end
    where report.date_day > window_end.last_day - 7
    group by
        report.campaign_id,
        report.campaign_name,
        report.ad_account_id,
        report.ad_account_name,
        report.currency,
        report.click_window_days,
        report.engagement_window_days,
        report.view_window_days,
        report.conversion_report_time
)

select
    *,
    {{ pinterest_ratios() }}
from totals
