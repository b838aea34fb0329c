{%- set relation = source("pinterest", "ad_accounts") -%}
{%- set c = pinterest_columns(relation) -%}
-- One row per ad account, its latest version. time_zone comes with newer taps; null before.
with source as (
    select *, {{ pinterest_latest(c, ["id"], ["updated_time"]) }} as version_rank
    from {{ relation }}
)

select
    {{ pinterest_text(c, "id") }} as ad_account_id,
    {{ pinterest_text(c, "name") }} as ad_account_name,
    {{ pinterest_text(c, "currency") }} as currency,
    {{ pinterest_text(c, "time_zone") }} as time_zone,
    {{ pinterest_text(c, "country") }} as country,
    {{ pinterest_timestamp(c, "created_time") }} as created_at,
    {{ pinterest_timestamp(c, "updated_time") }} as updated_at
from source
where version_rank = 1
