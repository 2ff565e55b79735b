{#- The column checks of one model in one query (one dbt node instead of one per column and check).

    - not_null: [col, ...]                      col is never null
    - non_negative: [col, ...]                  col is never below 0 (nulls pass)
    - unique: [col, ...]                        no two rows share a value of col (nulls skipped)
    - grain: [col, ...]                         no two rows share the values of all the columns
                                                (nulls compare equal): the model's grain
    - accepted_values: {col: [v, ...], ...}     col is one of the values (nulls pass); strings are
                                                quoted, numbers and booleans are not
    - relationships: {col: {to: ref('x'), field: f}, ...}
                                                every value of col is a value of x.f (nulls pass)
    - expressions: [sql, ...]                   every row satisfies the expression (false or null fails);
                                                an item may be {expression: sql, description: why}, the
                                                description then ends its failure text
    - bounds: [lower, value, upper]             lower <= upper and lower <= value <= upper wherever
                                                they are known (a null passes): a count's bounds
    Checks of groups of cells (tests/generic/group_checks.sql; each is also a generic test of its own):
    - no_recoverable_suppression: {keys: [...], dims: [...], value: c, value_upper: c, suppression: c}
                                                no withheld cell can be recovered from its group
    - parts_within_total: {keys: [...], dims: [...], overlapping: [...]}
                                                parts never exceed their total
    - parts_add_up_where_additive: {keys: [...], dims: [...]}
                                                additive parts add up to their total

    One failing row per check, column and value: check_name, column_name, failing_value (text),
    failing_rows (how many records), and a `failure` text that says all of it, e.g.
    "relationships: country_iso3 = 'XXK' (3 rows) not in countries.iso3"; for a group check, the
    dimension, the group's other keys and what is wrong, e.g. "parts_within_total: sex parts of
    (KEN, 2023, ...): the parts at least 12 > the total at most 10". Portable SQL. The model is read
    once; not_null, non_negative and expressions share one aggregate pass over it. Every check here
    is one dbt node fewer (about 50-65 ms of dbt's own time each per build). -#}
{% test column_checks(model, not_null=[], non_negative=[], unique=[], grain=[], accepted_values={},
                      relationships={}, expressions=[], bounds=[], no_recoverable_suppression=none,
                      parts_within_total=none, parts_add_up_where_additive=none) %}
{#- Failures are not stored: a stored view cost every build a DDL statement per model. tipdw reads
    the failing rows when it needs them by running the test's compiled SQL again (tipdw/quality/
    checks.py: load_rows), for warnings and `tipdw report quality`. -#}
{%- set parts = [] -%}
{%- if bounds and bounds | length != 3 -%}
{{ exceptions.raise_compiler_error("column_checks on " ~ model ~ ": bounds takes three columns [lower, value, upper], got " ~ bounds) }}
{%- endif -%}
{%- set scanned = not_null | length + non_negative | length + expressions | length + bounds | length -%}
{%- if scanned > 0 %}
{%- set singles = [] -%}
{#- (check, column, condition of a failing row, example value or none, label for the failure text) -#}
{%- for c in not_null %}{% do singles.append(('not_null', c, c ~ ' is null', none, c ~ ' is null')) %}{% endfor -%}
{%- for c in non_negative %}{% do singles.append(('non_negative', c, c ~ ' < 0', c, c ~ ' < 0')) %}{% endfor -%}
{%- for e in expressions -%}
{%- set sql = (e['expression'] if e is mapping else e) | trim -%}
{%- set why = (' (' ~ (e['description'] | trim) ~ ')') if e is mapping and e.get('description') else '' -%}
{%- do singles.append(('expression', none, 'not coalesce(' ~ sql ~ ', false)', none, sql ~ ' is false or null' ~ why)) -%}
{%- endfor -%}
{%- if bounds -%}
{%- set lo, v, hi = bounds -%}
{%- do singles.append(('bounds', v, '(' ~ lo ~ ' > ' ~ hi ~ ' or (' ~ v ~ ' is not null and (' ~ v ~ ' < ' ~ lo ~ ' or ' ~ v ~ ' > ' ~ hi ~ ')))',
                      none, 'not ' ~ lo ~ ' <= ' ~ v ~ ' <= ' ~ hi)) -%}
{%- endif -%}
{%- set scan -%}
    select
        check_list.check_name,
        check_list.column_name,
        case check_list.k
            {%- for s in singles %}
            when {{ loop.index }} then cast(scan.example_{{ loop.index }} as varchar)
            {%- endfor %}
        end as failing_value,
        case check_list.k
            {%- for s in singles %}
            when {{ loop.index }} then scan.failing_{{ loop.index }}
            {%- endfor %}
        end as failing_rows,
        check_list.label
    from (
        select
            {%- for s in singles %}
            sum(case when {{ s[2] }} then 1 else 0 end) as failing_{{ loop.index }},
            {% if s[3] is not none %}min(case when {{ s[2] }} then {{ s[3] }} end){% else %}cast(null as varchar){% endif %} as example_{{ loop.index }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from checked
    ) as scan
    cross join (
        values
            {%- for s in singles %}
            ({{ loop.index }}, '{{ s[0] }}', {% if s[1] is none %}cast(null as varchar){% else %}'{{ s[1] }}'{% endif %}, '{{ s[4] | replace("'", "''") }}'){% if not loop.last %},{% endif %}
            {%- endfor %}
    ) as check_list (k, check_name, column_name, label)
{%- endset -%}
{%- do parts.append("select check_name, column_name, failing_value, failing_rows,
        check_name || ': ' || label || ' in ' || cast(failing_rows as varchar) || ' rows'
            || coalesce(' (lowest ' || failing_value || ')', '') as failure
    from (" ~ scan ~ "\n    ) as scanned where failing_rows > 0") -%}
{%- endif %}
{%- for c in unique %}
{%- do parts.append("select 'unique' as check_name, '" ~ c ~ "' as column_name,
        cast(" ~ c ~ " as varchar) as failing_value, count(*) as failing_rows,
        'unique: " ~ c ~ " = ''' || cast(" ~ c ~ " as varchar) || ''' in ' || cast(count(*) as varchar) || ' rows' as failure
    from checked
    where " ~ c ~ " is not null
    group by " ~ c ~ "
    having count(*) > 1") -%}
{%- endfor %}
{%- if grain | length > 0 %}
{#- Id columns (pseudonyms, ids) show only their first 8 characters in the failure text. -#}
{%- set shown = [] -%}
{%- for c in grain -%}
{%- set text = "coalesce(cast(" ~ c ~ " as varchar), '<null>')" -%}
{%- if c != 'submission_id' and modules.re.search('pseudonym|person|case_id|(^|_)id$', c) -%}
{%- set text = "substring(" ~ text ~ ", 1, 8) || '...'" -%}
{%- endif -%}
{%- do shown.append(text) -%}
{%- endfor -%}
{%- do parts.append("select 'grain' as check_name, '" ~ grain | join(', ') ~ "' as column_name,
        " ~ shown | join(" || ', ' || ") ~ " as failing_value, count(*) as failing_rows,
        'grain: (" ~ grain | join(', ') ~ ") = (' || " ~ shown | join(" || ', ' || ") ~ " || ') in '
            || cast(count(*) as varchar) || ' rows' as failure
    from checked
    group by " ~ grain | join(', ') ~ "
    having count(*) > 1") -%}
{%- endif %}
{%- for c, values in accepted_values.items() %}
{%- set literals = [] -%}
{%- for v in values %}{% do literals.append(("'" ~ (v | replace("'", "''")) ~ "'") if v is string else (v | string | lower)) %}{% endfor -%}
{%- do parts.append("select 'accepted_values' as check_name, '" ~ c ~ "' as column_name,
        cast(" ~ c ~ " as varchar) as failing_value, count(*) as failing_rows,
        'accepted_values: " ~ c ~ " = ''' || cast(" ~ c ~ " as varchar) || ''' (' || cast(count(*) as varchar)
            || ' rows) not in " ~ (values | join(', ') | replace("'", "''")) ~ "' as failure
    from checked
    where " ~ c ~ " not in (" ~ literals | join(', ') ~ ")
    group by " ~ c) -%}
{%- endfor %}
{%- for c, rel in relationships.items() %}
{%- set target = rel['to'].identifier if rel['to'].identifier is defined else rel['to'] -%}
{%- do parts.append("select 'relationships' as check_name, '" ~ c ~ "' as column_name,
        cast(child.value as varchar) as failing_value, child.failing_rows,
        'relationships: " ~ c ~ " = ''' || cast(child.value as varchar) || ''' (' || cast(child.failing_rows as varchar)
            || ' rows) not in " ~ target ~ "." ~ rel['field'] ~ "' as failure
    from (
        select " ~ c ~ " as value, count(*) as failing_rows
        from checked
        where " ~ c ~ " is not null
        group by " ~ c ~ "
    ) as child
    where not exists (
        select 1 from " ~ rel['to'] ~ " as parent where parent." ~ rel['field'] ~ " = child.value
    )") -%}
{%- endfor %}
{%- set groups = [] -%}
{%- if no_recoverable_suppression -%}
{%- set a = no_recoverable_suppression -%}
{%- do groups.append(('no_recoverable_suppression', exposed_suppression_groups('checked', a['keys'], a['dims'],
    a.get('value', 'value'), a.get('value_upper', 'value_upper'), a.get('suppression', 'suppression')))) -%}
{%- endif -%}
{%- if parts_within_total -%}
{%- do groups.append(('parts_within_total', parts_above_total_groups('checked', parts_within_total['keys'],
    parts_within_total['dims'], parts_within_total.get('overlapping', [])))) -%}
{%- endif -%}
{%- if parts_add_up_where_additive -%}
{%- do groups.append(('parts_add_up_where_additive', additive_parts_not_adding_up_groups('checked',
    parts_add_up_where_additive['keys'], parts_add_up_where_additive['dims']))) -%}
{%- endif -%}
{%- for name, sql in groups %}
{%- do parts.append("select '" ~ name ~ "' as check_name, dimension as column_name, group_key as failing_value,
        failing_rows, '" ~ name ~ ": ' || dimension || ' parts of (' || group_key || '): ' || detail as failure
    from (" ~ sql ~ "
    ) as failing_groups") -%}
{%- endfor %}
{%- if parts | length == 0 %}
select 1 as failing_rows where 1 = 0
{%- else %}
{#- Every check reads the model through one CTE, so a view runs once (engines materialize a CTE
    referenced several times) instead of once per check. -#}
with checked as (
    select * from {{ model }}
)

{{ parts | join('\nunion all\n') }}
{%- endif %}
{% endtest %}
