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


# Vietnamese alphabetical order (the order of dictionaries and of name lists in official documents): the 29 letters
# a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (f, j, w, z of foreign names where the Latin alphabet
# has them), then, between words spelled alike, the tones: none, huyền, hỏi, ngã, sắc, nặng.
_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {c: i + 1 for i, c in enumerate(_LETTERS)}
_LETTER_MARKS = {"\u0306": "ă", "\u0302": "â", "\u031b": "ơ"}  # breve, circumflex, horn (on a, e/o, o/u)
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng


def _letters(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(letter ranks, tones) of one lower-case word; digits and ASCII signs rank before the letters, any other
    character after them, by its code."""
    ranks: list[int] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONES:
            tones[-1:] = [_TONES[ch]] if tones else []
            continue
        if ch in _LETTER_MARKS and ranks:
            base = _LETTERS[ranks[-1] - 1] if 0 < ranks[-1] <= len(_LETTERS) else ""
            marked = {"a\u0306": "ă", "a\u0302": "â", "e\u0302": "ê", "o\u0302": "ô", "o\u031b": "ơ",
                      "u\u031b": "ư"}.get(base + ch)
            if marked:
                ranks[-1] = _RANK[marked]
            continue
        if unicodedata.combining(ch):
            continue
        ranks.append(_RANK.get(ch, ord(ch) - 128 if ord(ch) < 128 else len(_LETTERS) + 1 + ord(ch)))
        tones.append(0)
    return tuple(ranks), tuple(tones)


def vn_sort_key(text: str | None) -> tuple:
    """A sort key in Vietnamese alphabetical order, word by word: "Đào" after "Dũng", "Ánh" after "Anh" and
    before "Ấn", "An" before "Anh", case ignored. Tones only break ties between words spelled alike."""
    words = nfc(text or "").casefold().split()
    parsed = [_letters(w) for w in words]
    return tuple(r for r, _ in parsed), tuple(t for _, t in parsed), nfc(text or "")


def person_sort_key(full_name: str | None) -> tuple:
    """People in the order of Vietnamese name lists: by given name (the last word), then by family and middle
    names ("Nguyễn Văn Bình" before "Lê Thị Hoa", "Lê Thị Hoa" before "Trần Thị Hoa")."""
    words = (full_name or "").split()
    return vn_sort_key(" ".join(words[-1:])), vn_sort_key(" ".join(words[:-1]))


def plain(text: str | None) -> str:
    """A search key that ignores case and diacritics ("nguyen van binh" finds "Nguyễn Văn Bình", "dang" "Đặng")."""
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())
