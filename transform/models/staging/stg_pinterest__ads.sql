{%- set relation = source("pinterest", "ads") -%}
{%- set c = pinterest_columns(relation) -%}
-- One row per ad, its latest version; pin_id is the promoted pin.
with source as (
    select *, {{ pinterest_latest(c, ["id"], ["updated_time"]) }} as version_rank
    from {{ relation }}
)

select
    {{ pinterest_text(c, "id") }} as ad_id,
    {{ pinterest_text(c, "ad_group_id") }} as ad_group_id,
    {{ pinterest_text(c, "campaign_id") }} as campaign_id,
    {{ pinterest_text(c, "ad_account_id") }} as ad_account_id,
    {{ pinterest_text(c, "pin_id") }} as pin_id,
    {{ pinterest_text(c, "name") }} as ad_name,
    {{ pinterest_text(c, "status") }} as status,
    {{ pinterest_text(c, "summary_status") }} as summary_status,
    {{ pinterest_text(c, "creative_type") }} as creative_type,
    {{ pinterest_text(c, "destination_url") }} as destination_url,
    {{ pinterest_timestamp(c, "created_time") }} as created_at,
    {{ pinterest_timestamp(c, "updated_time") }} as updated_at
from source
where version_rank = 1
