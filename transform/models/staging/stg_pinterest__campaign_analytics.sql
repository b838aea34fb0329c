{{ pinterest_stage_analytics("campaign_analytics", ["CAMPAIGN_ID"]) }}
