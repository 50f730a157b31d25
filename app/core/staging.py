"""Checked uploads waiting to be confirmed: one folder per check under instance/<area>/<token>/, with a record of
who checked them, with which options and the SHA-256 of each file; removed after a day if never confirmed.

Shared by the score and dossier import pages, so both confirm exactly what was checked.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
import uuid

from flask import abort, current_app

from app.core import uploads as uploads_

TOKEN = re.compile(r"^[0-9a-f]{32}$")
META = "checked.json"
MAX_AGE = 24 * 3600


def folder(area: str, token: str) -> str:
    """The staging folder of a check; 400 for a token that is not one (no path tricks)."""
    if not TOKEN.match(token or ""):
        abort(400)
    return os.path.join(current_app.instance_path, area, token)


def forget_stale(area: str, max_age: float = MAX_AGE) -> None:
    """Checked files that were never confirmed are removed after a day."""
    root = os.path.join(current_app.instance_path, area)
    if not os.path.isdir(root):
        return
    for name in os.listdir(root):
        path = os.path.join(root, name)
        if TOKEN.match(name) and time.time() - os.path.getmtime(path) > max_age:
            shutil.rmtree(path, ignore_errors=True)


def safe_name(filename: str) -> str:
    """The uploaded name as the user knows it (Vietnamese kept), without any path or control character."""
    name = re.sub(r"[\x00-\x1f\x7f/\\:]", "_", filename.replace("\\", "/").rsplit("/", 1)[-1])
    return name.lstrip(".")[-120:] or "tep"


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def refusal(uploads: list, *, extensions: tuple[str, ...], max_files: int, empty: str,
            limits: uploads_.Limits | None = None) -> str | None:
    """Why these uploads cannot be checked (Vietnamese, for the page), or None when they can.

    With `limits`, a file larger than its kind allows is refused here, by the size of its spool file (unread).
    """
    if not uploads:
        return empty
    if limits is not None:
        max_files = min(max_files, limits.max_files)
    if len(uploads) > max_files:
        return f"Tối đa {max_files} tệp mỗi lần (lần này {len(uploads)} tệp)."
    bad = [f.filename for f in uploads if not f.filename.lower().endswith(extensions)]
    if bad:
        return f"Không nhận loại tệp: {', '.join(bad)} (chỉ {', '.join(extensions)})."
    if limits is not None:
        for upload in uploads:
            too_big = uploads_.file_refusal(upload.filename, uploads_.stream_size(upload.stream), limits)
            if too_big:
                return too_big
    return None


def stage(area: str, uploads: list) -> tuple[str, str]:
    """A new check's token and folder, holding the uploads as `NNN__name` in upload order (stale checks removed)."""
    forget_stale(area)
    token = uuid.uuid4().hex
    path = folder(area, token)
    os.makedirs(path)
    try:
        for i, upload in enumerate(uploads):
            upload.save(os.path.join(path, f"{i:03d}__{safe_name(upload.filename)}"))
    except BaseException:
        discard(path)
        raise
    return token, path


def staged(path: str) -> list[tuple[str, str]]:
    """(name as uploaded, path on disk) of each staged file, in upload order."""
    names = sorted(n for n in os.listdir(path) if n != META)
    return [(n.split("__", 1)[-1], os.path.join(path, n)) for n in names]


def keep(path: str, *, uploader_id: int, options: dict, digests: list[str]) -> None:
    """Record a passed check so that its uploader can confirm it."""
    with open(os.path.join(path, META), "w", encoding="utf-8") as handle:
        json.dump({"uploader_id": uploader_id, "options": options, "sha256": digests}, handle)


def checked(path: str, uploader_id: int) -> dict | None:
    """The record of a passed check, or None if there is none (expired, confirmed) or it is someone else's."""
    record = os.path.join(path, META)
    if not os.path.isfile(record):
        return None
    with open(record, encoding="utf-8") as handle:
        meta = json.load(handle)
    return meta if meta.get("uploader_id") == uploader_id else None


def discard(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)


EXPIRED = "Phiên kiểm tra đã hết hạn hoặc đã được nhập: hãy tải tệp lên lại."
CHANGED = "Tệp đã kiểm tra bị thay đổi trên máy chủ: hãy tải tệp lên và kiểm tra lại."
