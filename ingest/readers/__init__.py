"""Readers, one module per submission format, and detection of a file's format from its headers."""

from __future__ import annotations

from pathlib import Path

from ingest.problems import IntakeError, Problem
from ingest.readers.base import Context, Reader, ReadResult
from ingest.readers.casework import TemplateCases, TemplateSuspects, TemplateVictims
from ingest.readers.ctdc import Ctdc
from ingest.readers.eurostat import EurostatTsv
from ingest.readers.glotip import UnodcGlotip
from ingest.readers.mapping import mapping_reader, shipped_mappings
from ingest.readers.open_sdg import OpenSdg
from ingest.readers.population import TemplatePopulation, WorldBankPopulation
from ingest.readers.sdmx import SdmxCsv
from ingest.readers.template import TemplateAggregates
from ingest.tabular import header_preview

READERS: list[Reader] = [TemplateAggregates(), TemplatePopulation(), WorldBankPopulation()]
READERS += [UnodcGlotip(), SdmxCsv(), OpenSdg(), EurostatTsv()]  # published aggregate layouts
READERS += shipped_mappings()  # national layouts: ingest/mappings/*.yml (mapping:<name>)
READERS += [TemplateVictims(), TemplateSuspects(), TemplateCases(), Ctdc()]  # case-level, read in SQL

__all__ = ["READERS", "Context", "ReadResult", "Reader", "detect", "get_reader"]


def get_reader(name: str) -> Reader:
    if name.startswith("mapping:"):
        return mapping_reader(name.removeprefix("mapping:"))
    for r in READERS:
        if r.name == name:
            return r
    raise IntakeError(
        [
            Problem(
                "format.unknown",
                f"there is no format {name!r}",
                "use one of: " + ", ".join(["auto", *(r.name for r in READERS)]),
            )
        ]
    )


def detect(path: Path) -> Reader:
    """The one reader whose layout the file's header matches; an error lists the candidates."""
    headers = header_preview(path)
    scored = sorted(((r.score(headers), r.name, r) for r in READERS), key=lambda t: -t[0])
    best = [t for t in scored if t[0] > 0]
    if not best:
        raise IntakeError(
            [
                Problem(
                    "format.unknown",
                    # Cell values are not echoed: without a known header, the widest row may be a
                    # data row holding identifiers.
                    f"the layout is not recognised: no header of a known format among the first rows "
                    f"(the widest has {len(headers)} columns)",
                    "pass --format with one of: "
                    + ", ".join(r.name for r in READERS)
                    + "; or write a mapping file for a national layout",
                    file=path.name,
                )
            ]
        )
    if len(best) > 1 and abs(best[0][0] - best[1][0]) < 0.02:
        raise IntakeError(
            [
                Problem(
                    "format.ambiguous",
                    "the layout matches several formats: " + ", ".join(t[1] for t in best),
                    "pass --format with the right one",
                    file=path.name,
                )
            ]
        )
    return best[0][2]
