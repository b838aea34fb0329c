{% test pinterest_unique_combination(model, columns) %}
-- Rows sharing all of `columns` (a model's grain spans several columns).
select {{ columns | join(", ") }}, count(*) as rows_with_key
from {{ model }}
group by {{ columns | join(", ") }}
having count(*) > 1
{% endtest %}
