{{ pinterest_stage_analytics("keyword_analytics", ["KEYWORD_ID", "AD_GROUP_ID", "CAMPAIGN_ID"]) }}
