{{ pinterest_daily_report("ad_group", targeting=true) }}
