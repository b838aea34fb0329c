{{ pinterest_daily_report("keyword") }}
