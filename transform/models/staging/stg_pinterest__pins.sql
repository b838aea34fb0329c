{%- set relation = source("pinterest", "pins") -%}
{%- set c = pinterest_columns(relation) -%}
-- One row per pin of the user (the pins ads promote are joined on by pin_id).
with source as (
    select *, {{ pinterest_latest(c, ["id"], []) }} as version_rank
    from {{ relation }}
)

select
    {{ pinterest_text(c, "id") }} as pin_id,
    {{ pinterest_text(c, "board_id") }} as board_id,
    {{ pinterest_text(c, "title") }} as pin_title,
    {{ pinterest_text(c, "link") }} as link,
    {{ pinterest_text(c, "creative_type") }} as creative_type,
    cast({{ pinterest_col(c, "created_at") }} as {{ dbt.type_timestamp() }}) as created_at
from source
where version_rank = 1
