"""Per-process caches of what the pages compute from a user's data (today's plan, history).

An answer is kept under the user's revision (``store.revision``), which every
write the answer depends on bumps in its own transaction, and under everything
else it depends on (the local date, the time zone, the length ...), given by
the caller, and under the language in use (an answer may hold shown text).
A write from any process changes the revision, so the next request
reads it (one small query) and computes afresh; nothing needs to be told.

- Caches are per database (one per engine) and per process, small and bounded
  (least recently used out first).
- A store session that holds writes not committed yet neither reads nor fills
  a cache: the revision does not count them until the commit.
- Cached answers are shared between requests: callers treat them as read-only
  (they are frozen dataclasses).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.orm import Session

from backcoach.i18n import current_language
from backcoach.store.revision import has_pending_changes, user_revision, user_revisions

T = TypeVar("T")

# Per cache and database. Keys are per user (and day, length ...): a clinic server with a
# few hundred patients needs a few hundred entries per cache, or every request computes
# afresh (the 200-patient benchmark timed out with 64). Entries are small (a plan, a
# page fragment of a few kB).
MAX_ENTRIES = 2048


class _Lru:
    """A bounded mapping, least recently used out first; safe across threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[object, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, anchor: object) -> tuple[bool, Any]:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] is not anchor:
                self.misses += 1
                return False, None
            self._entries.move_to_end(key)
            self.hits += 1
            return True, found[1]

    def put(self, key: Hashable, anchor: object, value: object) -> None:
        with self._lock:
            self._entries[key] = (anchor, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_lock = threading.Lock()
_caches: WeakKeyDictionary[object, dict[str, _Lru]] = WeakKeyDictionary()


def _cache(db: Session, name: str) -> _Lru:
    bind = db.get_bind()
    with _lock:
        per_database = _caches.get(bind)
        if per_database is None:
            per_database = _caches[bind] = {}
        cache = per_database.get(name)
        if cache is None:
            cache = per_database[name] = _Lru(MAX_ENTRIES)
        return cache


def cached(
    db: Session,
    *,
    name: str,
    user_id: int,
    key: Hashable,
    compute: Callable[[], T],
    anchor: object = None,
) -> T:
    """``compute()``'s answer for ``user_id``, from the cache ``name`` when still valid.

    Args:
        db: the store session ``compute`` reads with.
        name: which cache ("plan", "history").
        user_id: whose data the answer comes from.
        key: everything else the answer depends on (hashable).
        compute: works the answer out; it must read only ``user_id``'s tracked rows.
        anchor: an object the answer depends on by identity (the catalog): an
            entry made with another object is not used.
    """
    if has_pending_changes(db):
        return compute()
    revision = user_revision(db, user_id=user_id)
    if revision is None:
        return compute()
    cache = _cache(db, name)
    full_key = (revision, current_language(), key)
    hit, value = cache.get(full_key, anchor)
    if hit:
        return value  # type: ignore[no-any-return]
    answer = compute()
    if not has_pending_changes(db):  # ``compute`` wrote nothing (it should not)
        cache.put(full_key, anchor, answer)
    return answer


def cached_each(
    db: Session,
    *,
    name: str,
    keys: Mapping[int, Hashable],
    compute: Callable[[list[int]], Mapping[int, T]],
) -> dict[int, T]:
    """Per user: an answer from the cache ``name`` when still valid, the others computed
    together (one ``compute`` call for every user without one: a page of many users).

    Args:
        db: the store session ``compute`` reads with.
        name: which cache.
        keys: user id -> everything else that user's answer depends on (hashable).
        compute: works out the answers of the user ids it is given (a mapping by
            user id); it must read only those users' tracked rows.
    """
    if has_pending_changes(db):
        return dict(compute(list(keys)))
    cache = _cache(db, name)
    found: dict[int, T] = {}
    full_keys: dict[int, Hashable] = {}
    missing: list[int] = []
    revisions = user_revisions(db, user_ids=keys)
    language = current_language()
    for user_id, key in keys.items():
        revision = revisions[user_id]
        if revision is not None:
            full_keys[user_id] = (revision, language, key)
            hit, value = cache.get(full_keys[user_id], None)
            if hit:
                found[user_id] = value
                continue
        missing.append(user_id)
    if missing:
        answers = compute(missing)
        keep = not has_pending_changes(db)  # ``compute`` wrote nothing (it should not)
        for user_id in missing:
            found[user_id] = answers[user_id]
            if keep and user_id in full_keys:
                cache.put(full_keys[user_id], None, answers[user_id])
    return found


def statistics(db: Session, name: str) -> tuple[int, int]:
    """(hits, misses) of the cache ``name`` on ``db``'s database in this process."""
    cache = _cache(db, name)
    return cache.hits, cache.misses


def clear_all() -> None:
    """Forget every cached answer in this process (tests, benchmarks)."""
    with _lock:
        for per_database in _caches.values():
            for cache in per_database.values():
                cache.clear()
