{{ pinterest_daily_report("ad", targeting=true) }}
