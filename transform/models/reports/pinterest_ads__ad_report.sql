{{ pinterest_daily_report("ad") }}
