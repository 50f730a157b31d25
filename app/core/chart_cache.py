"""The charts' SVG cache: charts are pure functions of their arguments (the language included), so the last few
hundred SVGs are kept, keyed on the function and its arguments (pages repeat the same charts)."""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections import OrderedDict
from decimal import Decimal

_LOCK = threading.Lock()
_CACHE: OrderedDict[tuple, str] = OrderedDict()
_SIZE = 256


def _frozen(value):
    """A hashable stand-in for an argument (lists, Decimals, dataclasses such as charts.Series)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, *(_frozen(getattr(value, f.name)) for f in dataclasses.fields(value)))
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def clear() -> None:
    """Forget cached SVGs (tests use it to check that rendering itself is deterministic)."""
    with _LOCK:
        _CACHE.clear()


def cached(render):
    """Decorator: the SVG of an earlier call with the same arguments, else render and keep it."""

    @functools.wraps(render)
    def wrapper(*args, **kwargs):
        key = (render.__name__, _frozen(args), _frozen(sorted(kwargs.items())))
        with _LOCK:
            if key in _CACHE:
                _CACHE.move_to_end(key)
                return _CACHE[key]
        svg = render(*args, **kwargs)
        with _LOCK:
            _CACHE[key] = svg
            while len(_CACHE) > _SIZE:
                _CACHE.popitem(last=False)
        return svg

    return wrapper
