"""Opt-in memo of score questions for batches (`reports --all-units`): off unless a caller opens `memoised()`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_MEMO: ContextVar[dict | None] = ContextVar("scores_memo", default=None)


@contextmanager
def memoised() -> Iterator[None]:
    """Within the block, peer totals and ranks are computed once per distinct question: a batch of reports (150
    communes ranked among the same 150 peers) asks the same ones again and again of data that does not change."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def remembered(key: tuple, compute):
    memo = _MEMO.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
