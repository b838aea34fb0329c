{{ pinterest_daily_report("campaign") }}
