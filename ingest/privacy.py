"""Privacy at intake: direct identifiers never reach the database, person and case ids become keyed hashes.

*What is dropped.* A column whose header matches one of ``IDENTIFIER_PATTERNS`` (names, dates of
birth, addresses, phone numbers, e-mail, document numbers, case file numbers and HTCDS ``prs_``
name/contact fields) is never read into the warehouse: case-level readers select only the columns
they know, and every identifying column is named in the intake report and in
``raw.submissions.dropped_columns``. A date of birth is used only to compute the age at
identification, inside the intake's in-memory database, and is then dropped with the rest.

*Pseudonyms.* Person and case ids become HMAC-SHA256 pseudonyms of ``"<ISO3>:<id>"`` (the country
keeps two countries' "123" apart), computed in DuckDB SQL so that millions of rows never pass through
a Python loop. The key is 32 random bytes, hex-encoded, from ``TIPDW_PSEUDONYM_KEY`` or from the key
file ``TIPDW_PSEUDONYM_KEY_FILE`` (default ``~/.config/tipdw/pseudonym.key``), which must be outside
``TIPDW_HOME``. ``tipdw keygen`` makes one. The key is never written to the warehouse or logs; the
same key gives the same pseudonym, so re-submissions link without exposing the original id.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

KEY_ENV = "TIPDW_PSEUDONYM_KEY"
KEY_FILE_ENV = "TIPDW_PSEUDONYM_KEY_FILE"
DEFAULT_KEY_FILE = Path("~/.config/tipdw/pseudonym.key")

# Header patterns of direct identifiers, matched against the header lower-cased with every run of
# non-alphanumeric characters turned into "_" ("Date of birth" -> "date_of_birth"). One place only.
IDENTIFIER_PATTERNS: dict[str, str] = {
    "name": r"(^|_)(first|last|given|family|middle|full|maiden|birth|nick|sur|fore)_?names?($|_)"
    r"|^names?$|^(victim|person|suspect|offender|perpetrator|client)_names?$|(^|_)surname($|_)"
    r"|^(nombre|nombres|apellidos?|nom|prenom|prénom)$",
    "date of birth": r"(^|_)(dob|date_of_birth|birth_?date|birthday|fecha_de_nacimiento|date_de_naissance)($|_)",
    "address": r"(^|_)(address|addr|street|postcode|post_code|postal_code|zip|zip_code|residence|domicile"
    r"|direccion|adresse)($|_)",
    "phone": r"(^|_)(phone|telephone|tel|mobile|cell|cellphone|whatsapp|telefono|téléphone)(_?(no|number|num))?($|_)",
    "e-mail": r"(^|_)(e_?mail|email_address|correo)($|_)",
    "document number": r"(^|_)(passport|national_id|id_card|id_number|identity_number|document_(no|number|num)"
    r"|doc_(no|number|num)|ssn|social_security|tax_id|visa_number|dni|cedula|nin)($|_)",
    "case file number": r"(^|_)(case_?file|file_(no|number|num|ref)|case_(no|number|num|ref|reference)"
    r"|docket|court_file)($|_)",
    "HTCDS person name/contact": r"^prs_(.*name.*|.*phone.*|.*mail.*|.*address.*|.*contact.*|.*dob.*|.*birth.*"
    r"|.*passport.*|.*document.*|.*social.*)$",
}
_COMPILED = {reason: re.compile(p) for reason, p in IDENTIFIER_PATTERNS.items()}


def normalise_header(header: str) -> str:
    """``"Date of Birth"`` -> ``"date_of_birth"``: lower case, runs of other characters as ``_``."""
    return re.sub(r"[^0-9a-zà-ÿ]+", "_", header.strip().lstrip("\ufeff").casefold()).strip("_")


def identifier_reason(header: str) -> str | None:
    """Why a column is a direct identifier (e.g. "phone"), or None if its header is not one."""
    h = normalise_header(header)
    for reason, rx in _COMPILED.items():
        if rx.search(h):
            return reason
    return None


def identifying_columns(headers: list[str]) -> dict[str, str]:
    """The headers that are direct identifiers, each with its reason, in file order."""
    return {h: r for h in headers if (r := identifier_reason(h))}


class KeyMissing(Exception):
    """No pseudonym key is configured, or it is unusable; the message says how to fix it."""


@dataclass(frozen=True)
class PseudonymKey:
    """The HMAC key, padded to SHA-256's 64-byte block, as the two pads the SQL needs."""

    ipad: bytes
    opad: bytes

    @classmethod
    def from_bytes(cls, key: bytes) -> PseudonymKey:
        if len(key) < 16:
            raise KeyMissing("the pseudonym key is shorter than 16 bytes; make a new one with `tipdw keygen`")
        if len(key) > 64:  # HMAC hashes long keys first
            import hashlib

            key = hashlib.sha256(key).digest()
        k = key.ljust(64, b"\0")
        return cls(bytes(b ^ 0x36 for b in k), bytes(b ^ 0x5C for b in k))

    def bind(self, con) -> None:
        """Set the connection's variables that :func:`hmac_sql` reads. Variables, not parameters, so
        that views can pseudonymise; the key stays out of every SQL text (and so out of error messages).
        The intake's connection is in memory and closed after the file."""
        con.execute(f"set variable {IPAD_VARIABLE} = ?", [self.ipad])
        con.execute(f"set variable {OPAD_VARIABLE} = ?", [self.opad])

    def __repr__(self) -> str:  # never print key material
        return "PseudonymKey(<secret>)"


IPAD_VARIABLE, OPAD_VARIABLE = "tipdw_hmac_ipad", "tipdw_hmac_opad"


def hmac_sql(message_sql: str) -> str:
    """SQL for the hex HMAC-SHA256 of the text ``message_sql`` (the key from :meth:`PseudonymKey.bind`)."""
    return (
        f"sha256(getvariable('{OPAD_VARIABLE}') || "
        f"unhex(sha256(getvariable('{IPAD_VARIABLE}') || encode({message_sql}))))"
    )


def key_file() -> Path:
    return Path(os.environ.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE).expanduser().resolve()


def _hint(home_root: Path | None) -> str:
    where = key_file()
    return (
        f"make one with `tipdw keygen` (writes {where}, outside the warehouse), "
        f"or set {KEY_ENV} to 64 hex characters"
        + (f"; the key file must not be inside TIPDW_HOME ({home_root})" if home_root else "")
    )


def load_key(home_root: Path | None = None) -> PseudonymKey:
    """The pseudonym key from ``TIPDW_PSEUDONYM_KEY`` or the key file; raises KeyMissing with the fix."""
    text = os.environ.get(KEY_ENV, "").strip()
    origin = KEY_ENV
    if not text:
        path = key_file()
        if home_root is not None and path.is_relative_to(home_root.resolve()):
            raise KeyMissing(
                f"the pseudonym key file {path} is inside TIPDW_HOME; a key stored with the warehouse "
                f"would let anyone holding both re-identify ids. Move it out, or {_hint(None)}"
            )
        if not path.is_file():
            raise KeyMissing(f"case-level intake needs a pseudonym key and none is set: {_hint(home_root)}")
        text, origin = path.read_text(encoding="ascii", errors="replace").strip(), str(path)
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise KeyMissing(f"the pseudonym key in {origin} is not hexadecimal: {_hint(home_root)}") from None
    return PseudonymKey.from_bytes(key)


def keygen(out: Path | None = None, home_root: Path | None = None, force: bool = False) -> Path:
    """Write a new random 32-byte key (hex) to ``out`` (default: the key file), mode 0600.

    Refuses a path inside ``home_root`` and an existing file unless ``force`` (a new key breaks the
    link between old and new pseudonyms)."""
    path = Path(out).expanduser().resolve() if out else key_file()
    if home_root is not None and path.is_relative_to(home_root.resolve()):
        raise KeyMissing(
            f"refusing to write the key inside TIPDW_HOME ({home_root}); choose a path outside it"
        )
    if path.exists() and not force:
        raise FileExistsError(
            f"{path} already exists; a new key would stop re-submissions linking to earlier pseudonyms "
            "(pass --force to replace it anyway)"
        )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Write a temporary file, then link it into place: a reader never sees a half-written key, and two
    # processes making the key at once end with one key (the loser gets FileExistsError).
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    try:
        if force:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def ensure_key(home_root: Path) -> Path | None:
    """Make a key at the key file if none is configured (the demo's convenience); return its path if
    one was made, None if a key was already there."""
    try:
        load_key(home_root)
        return None
    except KeyMissing:
        if os.environ.get(KEY_ENV) or key_file().exists():
            raise  # a key is configured but unusable: do not paper over it
    try:
        return keygen(None, home_root)
    except FileExistsError:  # another process made it meanwhile
        return None
