-- Pinterest in the common ad-reporting shape (one row per ad and day), so it can be unioned
-- with the same table of other ad platforms. Spend and conversion value are in `currency`.
select
    'pinterest_ads' as platform,
    date_day,
    ad_account_id as account_id,
    ad_account_name as account_name,
    campaign_id,
    campaign_name,
    ad_group_id,
    ad_group_name,
    ad_id,
    ad_name,
    currency,
    clicks,
    impressions,
    spend,
    conversions,
    conversion_value as conversions_value
from {{ ref("pinterest_ads__ad_report") }}
