"""Stand-in for dbt's cross-database macros (``dbt.type_string()``, ...) under sqlfluff's jinja
templater (see .sqlfluff). Only loaded by sqlfluff, never by Python code."""


def type_string() -> str:
    return "varchar"


def type_int() -> str:
    return "integer"


def type_bigint() -> str:
    return "bigint"


def type_float() -> str:
    return "double"


def type_numeric() -> str:
    return "numeric"


def type_boolean() -> str:
    return "boolean"


def type_timestamp() -> str:
    return "timestamp"
