{{ pinterest_daily_report("campaign", targeting=true) }}
