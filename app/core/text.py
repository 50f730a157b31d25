"""Vietnamese text in one Unicode form: NFC (composed), whatever typed or saved it (macOS and some Windows tools
write NFD, "e" + combining marks). Every entry point passes what it receives through `nfc`: form fields and query
strings (the request class), imported cells and JSON, the API, and, as a safety net, every string column an ORM
object is flushed with. Search keys compare NFC text too, so "Nguyễn" typed either way finds the same person.
"""

from __future__ import annotations

import unicodedata
from typing import Any


def nfc(value: Any) -> Any:
    """`value` with every string in it (in lists, tuples and dict keys and values too) in NFC; others unchanged."""
    if value.__class__ is str:
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if isinstance(value, str):  # a str subclass (Markup): keep its class
        return value.__class__(unicodedata.normalize("NFC", value))
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, tuple):
        return tuple(nfc(v) for v in value)
    return value


def fold(text: str | None) -> str:
    """A search key: NFC and case-folded ("NGUYỄN" and NFD "nguyễn" give the same key)."""
    return nfc(text or "").casefold()


_HOOKS: dict = {}
_KEYS: dict = {}  # mapper → its string (and JSON) attributes


def install_session_hook(session_class) -> None:
    """Before each flush, store the string columns of new and changed ORM objects in NFC (the safety net)."""
    import sqlalchemy as sa
    from sqlalchemy import event

    if event.contains(session_class, "before_flush", _HOOKS.get("before_flush")):
        return

    def _string_keys(mapper) -> list[str]:
        keys = _KEYS.get(mapper)
        if keys is None:
            keys = _KEYS[mapper] = [p.key for p in mapper.column_attrs
                                    if len(p.columns) == 1 and isinstance(p.columns[0].type, sa.String | sa.JSON)]
        return keys

    @event.listens_for(session_class, "before_flush")
    def _normalise(session, _context, _instances) -> None:
        for obj in (*session.new, *session.dirty):
            state = sa.inspect(obj)
            for key in _string_keys(state.mapper):
                value = state.dict.get(key)
                if value is None or value.__class__ in (int, float, bool):
                    continue
                normal = nfc(value)
                if normal != value:
                    setattr(obj, key, normal)

    _HOOKS["before_flush"] = _normalise


def install_request_class(app) -> None:
    """Form fields, query strings and uploaded file names of every request arrive in NFC."""
    from werkzeug.datastructures import ImmutableMultiDict
    from werkzeug.utils import cached_property

    base = app.request_class

    class NfcRequest(base):
        def _load_form_data(self) -> None:
            super()._load_form_data()
            form = self.__dict__.get("form")
            if form is not None and any(not v.isascii() for v in form.values()):
                self.__dict__["form"] = ImmutableMultiDict([(k, nfc(v)) for k, v in form.items(multi=True)])
            for upload in (self.__dict__.get("files") or {}).values():
                if upload.filename and not upload.filename.isascii():
                    upload.filename = nfc(upload.filename)

        @cached_property
        def args(self):
            args = super().args
            if any(not v.isascii() for v in args.values()):
                return ImmutableMultiDict([(k, nfc(v)) for k, v in args.items(multi=True)])
            return args

    app.request_class = NfcRequest
