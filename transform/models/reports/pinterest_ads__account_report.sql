{{ pinterest_daily_report("ad_account") }}
