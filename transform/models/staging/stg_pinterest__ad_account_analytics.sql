{{ pinterest_stage_analytics("ad_account_analytics", ["ad_account_id"]) }}
