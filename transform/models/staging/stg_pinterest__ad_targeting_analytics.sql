{{ pinterest_stage_analytics("ad_targeting_analytics", ["AD_ID", "AD_GROUP_ID", "CAMPAIGN_ID"], targeting=true) }}
