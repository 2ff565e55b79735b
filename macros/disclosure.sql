{#- Disclosure control. A count of persons from 1 to k-1 (k = var('min_cell')) is suppressed
    ('primary'); a value the source marked confidential (CONF_STATUS C, N or D) is not published
    ('source_confidential'). Zero is published: it is not sensitive. -#}
{% macro suppression_reason(value, unit, conf_status) -%}
    case
        when {{ conf_status }} is not null
            and ({{ conf_status }} like '%C%' or {{ conf_status }} like '%N%' or {{ conf_status }} like '%D%')
            then 'source_confidential'
        when {{ unit }} = 'persons' and {{ value }} >= 1 and {{ value }} < {{ var('min_cell') }}
            then 'primary'
    end
{%- endmacro %}

{#- The published value of a cell given its suppression reason. -#}
{% macro protected_value(value, reason) -%}
    case when {{ reason }} is null then cast({{ value }} as bigint) end
{%- endmacro %}

{#- Bounds published for a suppressed cell: 1..k-1 for primary suppression ("<k"), none for others. -#}
{% macro protected_lower(value_lower, reason) -%}
    case
        when {{ reason }} is null then cast({{ value_lower }} as bigint)
        when {{ reason }} = 'primary' then 1
    end
{%- endmacro %}

{% macro protected_upper(value_upper, reason) -%}
    case
        when {{ reason }} is null then cast({{ value_upper }} as bigint)
        when {{ reason }} = 'primary' then {{ var('min_cell') }} - 1
    end
{%- endmacro %}
