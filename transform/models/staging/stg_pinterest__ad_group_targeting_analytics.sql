{{ pinterest_stage_analytics("ad_group_targeting_analytics", ["AD_GROUP_ID", "CAMPAIGN_ID"], targeting=true) }}
