{{ config(severity=var("pinterest_sum_check_severity", "warn")) }}
-- Each targeting type is a full breakdown of its campaign's day: the values of one type add up
-- to the campaign's untargeted spend, impressions and clicks (so types must never be summed
-- together). Returns the campaign days and types where they do not. Values without any metric
-- may be left out by Pinterest, so only days present on both sides are compared.
with breakdown as (
    select
        campaign_id,
        date_day,
        targeting_type,
        click_window_days,
        engagement_window_days,
        view_window_days,
        conversion_report_time,
        sum(spend_micro) as spend_micro,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from {{ ref("pinterest_ads__campaign_targeting_report") }}
    group by
        campaign_id,
        date_day,
        targeting_type,
        click_window_days,
        engagement_window_days,
        view_window_days,
        conversion_report_time
)

select
    breakdown.*,
    campaign.spend_micro as campaign_spend_micro,
    campaign.impressions as campaign_impressions,
    campaign.clicks as campaign_clicks
from breakdown
inner join {{ ref("pinterest_ads__campaign_report") }} as campaign
    on campaign.campaign_id = breakdown.campaign_id
    and campaign.date_day = breakdown.date_day
    and campaign.click_window_days = breakdown.click_window_days
    and campaign.engagement_window_days = breakdown.engagement_window_days
    and campaign.view_window_days = breakdown.view_window_days
    and campaign.conversion_report_time = breakdown.conversion_report_time
where campaign.spend_micro <> breakdown.spend_micro
    or campaign.impressions <> breakdown.impressions
    or campaign.clicks <> breakdown.clicks
