{#- Every row of `model` with a rate (column `rate` not null) has a population in `population`
    (a relation with the columns `keys`, e.g. country_iso3, year, sex, age_group, and `population`).
    A rate without its denominator cannot be checked or reproduced. Each failing row has a `failure`
    text naming the record and its rate. -#}
{% test population_for_rates(model, population, keys, rate='rate', population_column='population') %}
with rates as (
    select {{ keys | join(', ') }}, {{ rate }} as rate_value
    from {{ model }}
    where {{ rate }} is not null
),

final as (
    select
        rates.*,
        {{ record_label(keys, 'rates') }} || ': rate ' || cast(rates.rate_value as varchar)
        || ' has no population' as failure
    from rates
    where not exists (
        select 1 from {{ population }} as pop
        where
            {% for k in keys %}pop.{{ k }} = rates.{{ k }} and {% endfor %}
            pop.{{ population_column }} is not null
    )
)

select * from final
{% endtest %}
