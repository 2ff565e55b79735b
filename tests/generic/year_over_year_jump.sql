{#- No series jumps by more than `threshold` (a share: 1.0 = +100% or -100%) from one year to the next.
    A record is `keys` without `year`; both years must have a known value and the earlier one at least
    `min_base` (tiny counts jump by chance). Defaults: dbt vars yoy_jump_threshold and yoy_min_base.
    Apply with severity warn: a jump may be real, or a series break the provider should explain.
    Each failing row has a `failure` text giving both years and both values. -#}
{% test year_over_year_jump(model, keys, year='year', value='value', threshold=none, min_base=none) %}
{%- set others, limits = keys | reject('equalto', year) | list, {
    't': var('yoy_jump_threshold', 1.0) if threshold is none else threshold,
    'b': var('yoy_min_base', 20) if min_base is none else min_base} %}
with series as (
    select {{ others | join(', ') }}, {{ year }} as series_year, {{ value }} as series_value
    from {{ model }}
    where {{ value }} is not null
),

final as (
    select
        {% for k in others %}cur.{{ k }},{% endfor %}
        prev.series_year as previous_year,
        prev.series_value as previous_value,
        cur.series_year as current_year,
        cur.series_value as current_value,
        {{ record_label(others, 'cur') }}
        || ': ' || cast(prev.series_year as varchar) || ' ' || cast(prev.series_value as varchar)
        || ' -> ' || cast(cur.series_year as varchar) || ' ' || cast(cur.series_value as varchar)
        || ' (' || cast(cast(round(100.0 * (cur.series_value - prev.series_value) / prev.series_value) as integer) as varchar)
        || '%, threshold {{ (limits.t * 100) | int }}%)' as failure
    from series as cur
    inner join series as prev
        on {% for k in others %}cur.{{ k }} = prev.{{ k }} and {% endfor %}cur.series_year = prev.series_year + 1
    where
        prev.series_value >= {{ limits.b }}
        and abs(cur.series_value - prev.series_value) > {{ limits.t }} * prev.series_value
)

select * from final
{% endtest %}
