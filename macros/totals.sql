{#- Derived totals. For each dimension in `dims` (one pass each, in order), the rows sharing every
    other key form a group: the dimension's total (code 'total') and its parts. A group with no total
    row gets one derived from its parts when every part is known and the source declares
    additivity:
      - every part has is_additive = true (the source says its parts add up to the total), and
      - every part has a value or both bounds ("<5" counts as known bounds 0-4; a blank does not).
    The derived value is the sum of the parts' values (null if any part has only bounds); bounds add
    up. The row is marked is_derived. A later pass can use an earlier pass's derived rows, so a grand
    total is derived from derived sub-totals. Parts are never summed into a total the source gave.

    input:   a CTE with `keys` (which include `dims`), unit, value, value_lower, value_upper,
             obs_status, conf_status, is_additive, is_derived, submission_id, source_rows.
    output:  CTE `output` with the same columns and the derived rows added. -#}
{% macro derive_totals(input, output, keys, dims) -%}
    {%- set ns = namespace(prev=input) -%}
    {%- for d in dims %}
        {%- set others = keys | reject('equalto', d) | list %}
        {%- set step = output ~ '__' ~ d %}
    {{ step }}__derived as (
        select
            {% for k in keys %}{% if k == d %}'total'{% else %}parts.{{ k }}{% endif %} as {{ k }},
            {% endfor -%}
            min(parts.unit) as unit,
            case when count(*) = count(parts.value) then sum(parts.value) end as value,
            sum(coalesce(parts.value, parts.value_lower)) as value_lower,
            sum(coalesce(parts.value, parts.value_upper)) as value_upper,
            {{ agg_flag_set('parts.obs_status') }} as obs_status,
            {{ agg_flag_set('parts.conf_status') }} as conf_status,
            true as is_additive,
            true as is_derived,
            max(parts.submission_id) as submission_id,
            sum(parts.source_rows) as source_rows
        from {{ ns.prev }} as parts
        where
            parts.{{ d }} <> 'total'
            and not exists (
                select 1
                from {{ ns.prev }} as totals
                where
                    totals.{{ d }} = 'total'
                    {% for k in others %}and totals.{{ k }} = parts.{{ k }}
                    {% endfor %}
            )
        group by {% for k in others %}parts.{{ k }}{% if not loop.last %}, {% endif %}{% endfor %}
        having
            bool_and(coalesce(parts.is_additive, false))
            and count(*) = count(coalesce(parts.value, parts.value_lower))
            and count(*) = count(coalesce(parts.value, parts.value_upper))
    ),

    {{ step }} as (
        select
            {% for k in keys %}{{ k }},{% endfor %}
            unit, value, value_lower, value_upper, obs_status, conf_status, is_additive, is_derived,
            submission_id, source_rows
        from {{ ns.prev }}
        union all
        select
            {% for k in keys %}{{ k }},{% endfor %}
            unit, value, value_lower, value_upper, obs_status, conf_status, is_additive, is_derived,
            submission_id, source_rows
        from {{ step }}__derived
    ),
        {%- set ns.prev = step %}
    {%- endfor %}

    {{ output }} as (
        select * from {{ ns.prev }}
    )
{%- endmacro %}
