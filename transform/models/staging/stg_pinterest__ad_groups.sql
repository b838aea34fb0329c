{%- set relation = source("pinterest", "ad_groups") -%}
{%- set c = pinterest_columns(relation) -%}
-- One row per ad group, its latest version; budget and bid in micro-units and currency units.
with source as (
    select *, {{ pinterest_latest(c, ["id"], ["updated_time"]) }} as version_rank
    from {{ relation }}
)

select
    {{ pinterest_text(c, "id") }} as ad_group_id,
    {{ pinterest_text(c, "campaign_id") }} as campaign_id,
    {{ pinterest_text(c, "ad_account_id") }} as ad_account_id,
    {{ pinterest_text(c, "name") }} as ad_group_name,
    {{ pinterest_text(c, "status") }} as status,
    {{ pinterest_text(c, "summary_status") }} as summary_status,
    {{ pinterest_text(c, "budget_type") }} as budget_type,
    {{ pinterest_micro(c, "budget_in_micro_currency") }} as budget_micro,
    {{ pinterest_units(pinterest_micro(c, "budget_in_micro_currency")) }} as budget,
    {{ pinterest_micro(c, "bid_in_micro_currency") }} as bid_micro,
    {{ pinterest_units(pinterest_micro(c, "bid_in_micro_currency")) }} as bid,
    {{ pinterest_text(c, "billable_event") }} as billable_event,
    {{ pinterest_timestamp(c, "start_time") }} as start_at,
    {{ pinterest_timestamp(c, "end_time") }} as end_at,
    {{ pinterest_timestamp(c, "created_time") }} as created_at,
    {{ pinterest_timestamp(c, "updated_time") }} as updated_at
from source
where version_rank = 1
