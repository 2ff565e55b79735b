{#- Duplicates across sources: a cell (`keys`, without `source`) reported by more than one source.
    Both are kept with provenance and one is chosen by seed source_precedence, never added; this
    check makes every such cell visible (severity warn), with the sources and the range of values,
    so that a file loaded under two source labels or two disagreeing figures are looked at. -#}
{% test one_source_per_cell(model, keys, source='source', value='value') %}
{%- set others = keys | reject('equalto', source) | list %}
with cells as (
    select
        {{ others | join(', ') }},
        count(distinct {{ source }}) as sources,
        min({{ source }}) as first_source,
        max({{ source }}) as last_source,
        min({{ value }}) as min_value,
        max({{ value }}) as max_value
    from {{ model }}
    group by {{ others | join(', ') }}
    having count(distinct {{ source }}) > 1
),

final as (
    select
        cells.*,
        {{ record_label(others, 'cells') }}
        || ': ' || cast(sources as varchar) || ' sources (' || first_source || ' ... ' || last_source
        || '), values ' || coalesce(cast(min_value as varchar), '?') || ' to '
        || coalesce(cast(max_value as varchar), '?') as failure
    from cells
)

select * from final
{% endtest %}
