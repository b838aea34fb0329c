{{ pinterest_stage_analytics("ad_account_targeting_analytics", ["ad_account_id"], targeting=true) }}
