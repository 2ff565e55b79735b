{#- Disclosure control for shares of counts (e.g. the share of cases with a recruitment agency).
    A share is suppressed ('primary') when its numerator, its denominator, or the complement
    (denominator - numerator) counts 1 to k-1 (k = var('min_cell')): publishing any of them, or the
    share with the other, would reveal a group smaller than k. Zero is not sensitive. -#}
{% macro share_suppression_reason(numerator, denominator) -%}
    case
        when {{ small_count(numerator) }}
            or {{ small_count(denominator) }}
            or {{ small_count('(' ~ denominator ~ ' - ' ~ numerator ~ ')') }}
            then 'primary'
    end
{%- endmacro %}

{#- True when a count is 1 to k-1. -#}
{% macro small_count(count) -%}
    ({{ count }} >= 1 and {{ count }} < {{ var('min_cell') }})
{%- endmacro %}

{#- The published share in percent: null when suppressed or when the denominator is 0. -#}
{% macro protected_share_pct(numerator, denominator, reason) -%}
    case when {{ reason }} is null then round(100.0 * {{ safe_divide(numerator, denominator) }}, 2) end
{%- endmacro %}
