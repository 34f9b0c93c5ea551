"""Posture calibration per desk: the user's own upright baseline, saved under a profile name.

A laptop's camera sees a person from below and close, an external monitor's
from further away: each desk gets its own baseline (``laptop``, ``monitor``
or any short name). A profile is a user setting (``posture.profile.<name>``)
holding the baseline's numbers and when it was saved; the monitor started
with a profile skips its first seconds of calibration.

Example:
    >>> save_profile(db, user_id=1, name="laptop", baseline=baseline, now=now)  # doctest: +SKIP
    >>> PostureMonitor(baseline=load_profile(db, user_id=1, name="laptop"))  # doctest: +SKIP
"""

from __future__ import annotations

import re
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from backcoach.errors import UsageError
from backcoach.i18n import _
from backcoach.store.user_settings import all_settings, get_setting, set_setting
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.posture import Baseline, PostureConfig, calibrate, measure

PREFIX = "posture.profile."
#: The suggested names: a laptop's own camera, a camera on an external monitor.
DESKS = ("laptop", "monitor")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_FIELDS = {f.name for f in fields(Baseline)}


def check_name(name: str) -> str:
    """The profile name, lower case; refused unless it is 1-32 letters, digits or dashes.

    Raises:
        UsageError: a name that is not one.
    """
    cleaned = name.strip().lower()
    if not _NAME.match(cleaned):
        raise UsageError(
            _(
                "A desk profile name is 1-32 letters, digits or dashes (e.g. {examples}), "
                "not {name!r}."
            ).format(examples=", ".join(DESKS), name=name)
        )
    return cleaned


#: The least time with a face in view that makes an upright baseline (a preview's last seconds).
MIN_UPRIGHT_S = 3.0


def baseline_from_frames(
    frames: list[LandmarkFrame], config: PostureConfig | None = None
) -> Baseline | None:
    """The upright baseline of ``frames`` (the seconds a person chose to save), or None
    when a face was in view for less than ``MIN_UPRIGHT_S``."""
    config = config or PostureConfig()
    seen = [(f.t_s, m) for f in frames if (m := measure(f, min_face=config.min_face)) is not None]
    if not seen or seen[-1][0] - seen[0][0] < MIN_UPRIGHT_S - 1e-9:
        return None
    return calibrate([m for _t, m in seen])


def save_profile(
    db: Session, *, user_id: int, name: str, baseline: Baseline, now: datetime
) -> None:
    """Store ``baseline`` as desk profile ``name`` (replacing an earlier one); no commit."""
    value: dict[str, Any] = {"baseline": asdict(baseline), "saved_at": now.isoformat()}
    set_setting(db, user_id=user_id, key=PREFIX + check_name(name), value=value)


def _baseline(value: Any) -> Baseline | None:
    if not isinstance(value, dict) or not isinstance(value.get("baseline"), dict):
        return None
    numbers = value["baseline"]
    known = {k: v for k, v in numbers.items() if k in _FIELDS}
    if not all(v is None or isinstance(v, int | float) for v in known.values()):
        return None
    try:
        return Baseline(**known)
    except TypeError:  # a field missing
        return None


def load_profile(db: Session, *, user_id: int, name: str) -> Baseline | None:
    """The baseline saved as desk profile ``name``, or None (never saved, or unreadable)."""
    return _baseline(get_setting(db, user_id=user_id, key=PREFIX + check_name(name)))


def profile_names(db: Session, *, user_id: int) -> list[str]:
    """The names of the user's saved desk profiles, in order."""
    return [
        key.removeprefix(PREFIX)
        for key, value in all_settings(db, user_id=user_id).items()
        if key.startswith(PREFIX) and _baseline(value) is not None
    ]


def latest_profile(db: Session, *, user_id: int) -> Baseline | None:
    """The desk profile saved last (the desk the person calibrated most recently), or None."""
    saved = [
        (str(value.get("saved_at", "")), baseline)
        for key, value in all_settings(db, user_id=user_id).items()
        if key.startswith(PREFIX) and (baseline := _baseline(value)) is not None
    ]
    return max(saved, key=lambda item: item[0])[1] if saved else None
