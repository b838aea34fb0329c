{%- set relation = source("pinterest", "campaigns") -%}
{%- set c = pinterest_columns(relation) -%}
-- One row per campaign, its latest version; spend caps in micro-units and currency units.
with source as (
    select *, {{ pinterest_latest(c, ["id"], ["updated_time"]) }} as version_rank
    from {{ relation }}
)

select
    {{ pinterest_text(c, "id") }} as campaign_id,
    {{ pinterest_text(c, "ad_account_id") }} as ad_account_id,
    {{ pinterest_text(c, "name") }} as campaign_name,
    {{ pinterest_text(c, "status") }} as status,
    {{ pinterest_text(c, "summary_status") }} as summary_status,
    {{ pinterest_text(c, "objective_type") }} as objective_type,
    {{ pinterest_text(c, "type") }} as campaign_type,
    {{ pinterest_micro(c, "daily_spend_cap") }} as daily_spend_cap_micro,
    {{ pinterest_units(pinterest_micro(c, "daily_spend_cap")) }} as daily_spend_cap,
    {{ pinterest_micro(c, "lifetime_spend_cap") }} as lifetime_spend_cap_micro,
    {{ pinterest_units(pinterest_micro(c, "lifetime_spend_cap")) }} as lifetime_spend_cap,
    {{ pinterest_timestamp(c, "start_time") }} as start_at,
    {{ pinterest_timestamp(c, "end_time") }} as end_at,
    {{ pinterest_timestamp(c, "created_time") }} as created_at,
    {{ pinterest_timestamp(c, "updated_time") }} as updated_at
from source
where version_rank = 1
