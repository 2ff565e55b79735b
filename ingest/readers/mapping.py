"""National layouts read through a mapping file (YAML): onboarding a country is data, not code.

A mapping file says where the table is (sheet, header row), which of its columns is which
template column (renames), fixed values for columns the file lacks (constants, e.g. the country
or the indicator), value maps for the country's own codes, and which template shape the rows
become (``aggregates`` or ``population``). The rows then pass exactly the checks of that
template. Codes left as the file writes them ("Mujer", "Menores de 18") are mapped in staging by
crosswalk rows with ``source_format = mapping`` (shared by every mapping file); the file's own,
country-specific codes go in its value maps. Example: ``ingest/mappings/es_national_example.yml``.

``tipdw ingest FILE --mapping PATH.yml`` (or ``--format mapping:PATH.yml``); the mapping files
shipped in ``ingest/mappings/`` are also candidates of ``--format auto``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ingest.problems import IntakeError, Problem, Problems
from ingest.readers.base import Context, ReadResult, header_score, require_columns
from ingest.readers.population import TemplatePopulation
from ingest.readers.template import OPTIONAL, REQUIRED, TemplateAggregates
from ingest.tabular import EXCEL_SUFFIXES, Table, read_csv_text, read_excel_table, read_table

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"
SHAPES = {
    "aggregates": (TemplateAggregates(), [*REQUIRED, *OPTIONAL]),
    "population": (TemplatePopulation(), TemplatePopulation.required),
}
KEYS = {"name", "description", "shape", "source", "sheet", "header_row", "decimal", "columns", "constants",
        "values"}  # fmt: skip


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file."""

    name: str
    path: Path
    sha256: str
    shape: str
    columns: dict[str, str]  # file header -> template column
    description: str = ""
    source: str = "national"
    sheet: str | None = None
    header_row: int | None = None
    decimal: str = "."
    constants: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # template column -> {code: code}


def _bad(path: Path, key: str, message: str, fix: str) -> IntakeError:
    return IntakeError([Problem("mapping.invalid", message, fix, file=path.name, column=key)])


def load_mapping(path: Path) -> Mapping:
    """Parse and check a mapping file; a mistake is an IntakeError naming the key and the fix."""
    path = Path(path)
    if not path.is_file():
        raise _bad(path, "--mapping", "there is no such mapping file", "check the path of the .yml file")
    raw = path.read_bytes()
    try:
        doc = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise _bad(path, "", f"the mapping file is not valid YAML: {exc}", "fix the YAML syntax") from None
    if not isinstance(doc, dict):
        raise _bad(path, "", "the mapping file must be a YAML mapping", "see ingest/mappings/*.yml")
    unknown = sorted(set(doc) - KEYS)
    if unknown:
        raise _bad(path, unknown[0], f"unknown keys {unknown}", f"use only {sorted(KEYS)}")
    shape = doc.get("shape", "aggregates")
    if shape not in SHAPES:
        raise _bad(path, "shape", f"the shape {shape!r} is not known", f"use one of {sorted(SHAPES)}")
    allowed = set(SHAPES[shape][1])
    columns = {str(k): str(v) for k, v in (doc.get("columns") or {}).items()}
    constants = {str(k): str(v) for k, v in (doc.get("constants") or {}).items()}
    values = {str(k): {str(a).strip().casefold(): str(b) for a, b in (m or {}).items()}
              for k, m in (doc.get("values") or {}).items()}  # fmt: skip
    for key, targets in (("columns", columns.values()), ("constants", constants), ("values", values)):
        wrong = sorted(set(targets) - allowed)
        if wrong:
            raise _bad(path, key, f"{key} names template columns that the {shape} template does not have: "
                       f"{wrong}", f"use the {shape} template's columns: {sorted(allowed)}")  # fmt: skip
    if not columns:
        raise _bad(path, "columns", "the mapping renames no column", "list the file's headers under columns:")
    return Mapping(
        name=str(doc.get("name") or path.stem), path=path, sha256=hashlib.sha256(raw).hexdigest(),
        shape=shape, columns=columns, description=str(doc.get("description") or ""),
        source=str(doc.get("source") or "national"), sheet=doc.get("sheet"),
        header_row=int(doc["header_row"]) if doc.get("header_row") else None,
        decimal=str(doc.get("decimal") or "."), constants=constants, values=values,
    )  # fmt: skip


class MappingReader:
    """A reader built from one mapping file; its --format name is ``mapping:<name>``."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.name = f"mapping:{mapping.name}"
        self.description = mapping.description or f"national layout via {mapping.path.name}"
        self.source = mapping.source

    def score(self, headers: list[str]) -> float:
        return header_score(headers, set(self.mapping.columns))

    def read(self, path: Path, ctx: Context) -> ReadResult:
        m = self.mapping
        table = self._table(path, ctx)
        problems = Problems()
        fix = f"make the file's header match the columns of {m.path.name}, or edit that mapping file"
        if not require_columns(table, list(m.columns), problems, fix):
            return ReadResult({}, problems, len(table.frame))
        by_fold = {c.casefold(): c for c in table.frame.columns}
        frame = table.frame[[by_fold[c.casefold()] for c in m.columns]].copy()
        frame.columns = list(m.columns.values())
        for col, value in m.constants.items():
            frame[col] = value
        if "country" in SHAPES[m.shape][1] and "country" not in frame and ctx.country:
            frame["country"] = ctx.country
        for col, codes in m.values.items():
            if col in frame:
                frame[col] = frame[col].map(lambda v, codes=codes: codes.get(v.strip().casefold(), v))
        reader = SHAPES[m.shape][0]
        decimal = "," if "," in (ctx.decimal, m.decimal) else "."
        result = reader.from_table(Table(frame, table.file, table.sheet, table.header_row),
                                   dataclasses.replace(ctx, decimal=decimal))  # fmt: skip
        for rows in result.tables.values():
            rows["source_format"] = self.name
        back = {v: k for k, v in m.columns.items()}
        result.problems.items = [dataclasses.replace(p, column=back.get(p.column, p.column))
                                 for p in result.problems.items]  # fmt: skip
        result.problems.extend(problems.items)
        result.metadata = {**result.metadata, "mapping": m.name, "mapping_file": m.path.name,
                           "mapping_sha256": m.sha256}  # fmt: skip
        return result

    def _table(self, path: Path, ctx: Context) -> Table:
        m = self.mapping
        wanted = set(m.columns)
        if path.suffix.lower() in EXCEL_SUFFIXES:
            return read_excel_table(path, ctx.sheet or m.sheet, wanted, m.header_row)
        if m.header_row:
            return read_csv_text(path, header_row=m.header_row)
        return read_table(path, wanted)


def shipped_mappings() -> list[MappingReader]:
    """Readers for the mapping files shipped in ``ingest/mappings/`` (candidates of --format auto).
    A broken file is left out here (so it cannot break every command); ``--mapping FILE`` reports it."""
    readers = []
    for p in sorted(MAPPINGS_DIR.glob("*.yml")):
        try:
            readers.append(MappingReader(load_mapping(p)))
        except IntakeError:
            continue
    return readers


def mapping_reader(ref: str) -> MappingReader:
    """The reader for ``mapping:<ref>``: a path to a .yml file, or the name of a shipped mapping."""
    path = Path(ref)
    if path.suffix.lower() in (".yml", ".yaml") or path.is_file():
        return MappingReader(load_mapping(path))
    shipped = {r.mapping.name: r for r in shipped_mappings()}
    if ref in shipped:
        return shipped[ref]
    raise _bad(path, "--format", f"there is no mapping {ref!r}",
               f"pass a .yml path, or one of the shipped mappings: {sorted(shipped)}")  # fmt: skip
