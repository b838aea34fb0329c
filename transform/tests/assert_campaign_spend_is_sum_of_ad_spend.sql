{{ config(severity=var("pinterest_sum_check_severity", "warn")) }}
-- A campaign's spend on a day is the sum of its ads' spend that day (same attribution setting).
-- Returns the campaign days where it is not. Days with ad rows but no campaign row count too.
with ads as (
    select
        campaign_id,
        date_day,
        click_window_days,
        engagement_window_days,
        view_window_days,
        conversion_report_time,
        sum(spend_micro) as ads_spend_micro
    from {{ ref("pinterest_ads__ad_report") }}
    group by
        campaign_id,
        date_day,
        click_window_days,
        engagement_window_days,
        view_window_days,
        conversion_report_time
)

select
    coalesce(campaign.campaign_id, ads.campaign_id) as campaign_id,
    coalesce(campaign.date_day, ads.date_day) as date_day,
    campaign.spend_micro as campaign_spend_micro,
    ads.ads_spend_micro
from {{ ref("pinterest_ads__campaign_report") }} as campaign
full outer join ads
    on ads.campaign_id = campaign.campaign_id
    and ads.date_day = campaign.date_day
    and ads.click_window_days = campaign.click_window_days
    and ads.engagement_window_days = campaign.engagement_window_days
    and ads.view_window_days = campaign.view_window_days
    and ads.conversion_report_time = campaign.conversion_report_time
where coalesce(campaign.spend_micro, 0) <> coalesce(ads.ads_spend_micro, 0)
