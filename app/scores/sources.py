"""Where score files come from: paths and folders, the manifest.json saved beside portal captures, and pages of
the portal's procedure list (recognised and skipped)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass


@dataclass
class SourceFile:
    name: str
    content: bytes
    manifest: dict | None = None  # the capture's entry in a manifest.json saved beside it, if any
    formality_code: str | None = None
    scope: str | None = None  # "all" / "formality" when the person importing says so

    @property
    def file_format(self) -> str:
        lower = self.name.lower()
        return "xlsx" if lower.endswith(".xlsx") else "csv" if lower.endswith(".csv") else "portal-json"


def read_paths(paths: list[str], limits=None) -> list[SourceFile]:
    """Files (folders are walked) with the manifest.json entry saved beside each, when there is one.

    With `limits` (core.uploads.Limits), a file larger than its kind allows raises UploadRefused before any is read.
    """
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, _dirs, names in sorted(os.walk(path)):
                files += [os.path.join(root, n) for n in sorted(names) if n.lower().endswith((".json", ".csv", ".xlsx"))]
        else:
            files.append(path)
    if limits is not None:
        from app.core.uploads import check_paths

        check_paths(files, limits)
    out = []
    for path in files:
        with open(path, "rb") as handle:
            content = handle.read()
        out.append(SourceFile(path, content, *_manifest_entry(path)))
    return out


def _manifest_entry(path: str) -> tuple[dict | None, str | None]:
    folder = os.path.dirname(os.path.abspath(path))
    for candidate in (folder, os.path.dirname(folder)):
        manifest = os.path.join(candidate, "manifest.json")
        if os.path.isfile(manifest) and os.path.abspath(manifest) != os.path.abspath(path):
            try:
                with open(manifest, encoding="utf-8") as handle:
                    data = json.load(handle)
            except (OSError, ValueError, RecursionError):
                return None, None
            rel = os.path.relpath(os.path.abspath(path), candidate).replace(os.sep, "/")
            entry = next((c for c in data.get("captures", []) if c.get("file") == rel), None)
            return entry, (data.get("formality") or {}).get("code")
    return None, None


def is_listing(obj) -> bool:
    """A page of the portal's procedure (TTHC) list or a capture manifest: not scoring data."""
    if not isinstance(obj, dict):
        return False
    if "captures" in obj:
        return True
    data = obj.get("data")
    items = data.get("items") if isinstance(data, dict) else None
    return isinstance(items, list) and "evaluation" not in data and all(
        isinstance(i, dict) and {"code", "name"} <= i.keys() and not {"metrics", "totalScore", "score"} & i.keys()
        for i in items[:5])
