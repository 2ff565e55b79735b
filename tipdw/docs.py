"""``tipdw docs``: offline dbt documentation, one static page (``dbt docs generate --static``).

dbt runs against the build database under the writer lock (it opens the file for writing) with its
own target directory, so the build's manifest is untouched. The page embeds the manifest and the
catalog; it loads nothing from the internet: ``check_offline`` verifies that no script, stylesheet,
image, font or frame is fetched from an http(s) address, and the command fails if one is.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tipdw import dbt
from tipdw.config import Home
from tipdw.lock import writer_lock

# An attribute or CSS reference that makes a browser fetch something from another site.
REMOTE = re.compile(
    r"""(?:<(?:script|link|img|iframe|source|embed|object)\b[^>]*?\b(?:src|href|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)""",
    re.IGNORECASE,
)


def check_offline(html: str) -> list[str]:
    """Every place in ``html`` that would load a resource from the network (empty when offline)."""
    return [html[max(0, m.start() - 40) : m.end() + 60] for m in REMOTE.finditer(html)]


def generate_docs(home: Home, out_dir: Path, wait: float = 0.0) -> Path:
    """Write ``out_dir/index.html`` (plus manifest.json and catalog.json); return the page's path."""
    if not home.build_db.exists():
        raise RuntimeError(f"no build database at {home.build_db}; run `tipdw build` first")
    target = home.root / "docs-target"
    with writer_lock(home.lock, timeout=wait, what="docs"):
        res = dbt.run(home, ["docs", "generate", "--static"], env={"DBT_TARGET_PATH": str(target)})
    page = target / "static_index.html"
    if not res.ok or not page.exists():
        detail = "\n".join(res.failures) or res.output.strip()[-2000:]
        raise RuntimeError(f"dbt docs generate failed:\n{detail}")
    remote = check_offline(page.read_text(encoding="utf-8", errors="replace"))
    if remote:
        raise RuntimeError(
            f"the docs page would load {len(remote)} resources from the internet: {remote[:3]}"
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(page, out_dir / "index.html")
    for name in ("manifest.json", "catalog.json"):
        if (target / name).exists():
            shutil.copyfile(target / name, out_dir / name)
    return out_dir / "index.html"
