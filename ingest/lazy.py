"""Late imports of heavy libraries that most intakes never need.

The case-level CSV path is SQL over DuckDB and never touches pandas, yet importing pandas costs over
a second on every ``tipdw ingest``. Modules write ``from ingest.lazy import pandas as pd`` and use
``pd`` as usual; pandas is imported on the first attribute access. (``importlib.util.LazyLoader``
cannot do this on Python 3.11: the ``import`` statement itself touches the module and loads it.)
"""

from __future__ import annotations

import importlib
from types import ModuleType


class _Late:
    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str):
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)

    def __repr__(self) -> str:
        return f"<late import of {self._name}>"


pandas = _Late("pandas")
