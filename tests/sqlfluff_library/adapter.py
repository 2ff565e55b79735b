"""Stand-in for dbt's ``adapter`` when sqlfluff renders models with its jinja templater.

``adapter.dispatch('name')(args)`` renders as the plain call ``name(args)``: enough SQL for the
linter to parse, without dbt or a database (see .sqlfluff).
"""


def dispatch(name: str, macro_namespace: str | None = None):
    """A function that renders ``name(arg, ...)``."""

    def call(*args, **kwargs) -> str:
        return f"{name}({', '.join(str(a) for a in [*args, *kwargs.values()])})"

    return call
