{{ pinterest_stage_analytics("campaign_targeting_analytics", ["CAMPAIGN_ID"], targeting=true) }}
