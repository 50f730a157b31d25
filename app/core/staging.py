"""Checked uploads waiting to be confirmed: one folder per check under instance/<area>/<token>/, with a record of
who checked them, with which options and the SHA-256 of each file; removed after a day if never confirmed.

Shared by the score and dossier import pages, so both confirm exactly what was checked.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time

from flask import abort, current_app

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
