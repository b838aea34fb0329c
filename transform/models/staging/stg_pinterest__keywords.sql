{%- set relation = source("pinterest", "keywords") -%}
{%- set c = pinterest_columns(relation) -%}
-- One row per keyword; parent_type says whether parent_id is an ad account, campaign or ad group.
with source as (
    select *, {{ pinterest_latest(c, ["id"], []) }} as version_rank
    from {{ relation }}
)

select
    {{ pinterest_text(c, "id") }} as keyword_id,
    {{ pinterest_text(c, "ad_account_id") }} as ad_account_id,
    {{ pinterest_text(c, "parent_id") }} as parent_id,
    {{ pinterest_text(c, "parent_type") }} as parent_type,
    {{ pinterest_text(c, "value") }} as keyword_text,
    {{ pinterest_text(c, "match_type") }} as match_type,
    cast({{ pinterest_col(c, "archived") }} as boolean) as is_archived,
    {{ pinterest_micro(c, "bid") }} as bid_micro,
    {{ pinterest_units(pinterest_micro(c, "bid")) }} as bid
from source
where version_rank = 1
