-- The promoted pins over the 7 days up to the latest reported day, ranked by spend within
-- each currency and attribution setting (the ads promoting a pin are summed; nothing else is).
with report as (
    select * from {{ ref("pinterest_ads__ad_report") }}
),

window_end as (
    select max(date_day) as last_day from report
),

totals as (
    select
        report.pin_id,
        report.pin_title,
        report.currency,
        report.click_window_days,
        report.engagement_window_days,
        report.view_window_days,
        report.conversion_report_time,
        count(distinct report.ad_id) as ads,
        sum(report.spend) as spend,
        sum(report.impressions) as impressions,
        sum(report.clicks) as clicks,
        sum(report.saves) as saves,
        sum(report.conversions) as conversions,
        sum(report.conversion_value) as conversion_value
    from report
    cross join window_end
    where report.date_day > window_end.last_day - 7
        and report.pin_id is not null
    group by
        report.pin_id,
        report.pin_title,
        report.currency,
        report.click_window_days,
        report.engagement_window_days,
        report.view_window_days,
        report.conversion_report_time
)

select
    row_number() over (
        partition by
            currency,
            click_window_days,
            engagement_window_days,
            view_window_days,
            conversion_report_time
        order by spend desc, pin_id
    ) as spend_rank,
    *,
    {{ pinterest_ratios() }}
from totals
