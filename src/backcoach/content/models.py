"""Pydantic models of the program content: exercises, programs, tips.

The YAML files in ``content/data/`` are validated against these models at
start-up; see ``loader.py``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from backcoach.i18n import N_, _

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(StrEnum):
    WARM_UP = "warm-up"
    WORKOUT = "workout"
    COOL_DOWN = "cool-down"


class Kind(StrEnum):
    """How an exercise is dosed and guided."""

    REPS = "reps"  # count repetitions (optionally holding each one)
    HOLD = "hold"  # hold one position for a time
    TIMED = "timed"  # keep moving for a duration
    BREATHING = "breathing"  # paced breaths


class View(StrEnum):
    SIDE = "side"
    FRONT = "front"


class Amount(_Strict):
    """A dose with its safe range: ``min <= default <= max``."""

    default: float = Field(ge=0)
    min: float = Field(ge=0)
    max: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.min <= self.default <= self.max:
            raise ValueError(
                _("need min <= default <= max, got {min}, {default}, {max}").format(
                    min=self.min, default=self.default, max=self.max
                )
            )
        return self


class Dosage(_Strict):
    sets: Amount
    reps: Amount | None = None
    hold_s: Amount | None = None
    duration_s: Amount | None = None
    per_side: bool = False
    rest_s: int = Field(default=15, ge=0, le=300)


class Variant(_Strict):
    name: Text
    how: Text


class Segments(_Strict):
    """Absolute segment directions of a 2-D stick figure, in degrees.

    0 points to the figure's right on screen (+x), 90 points up. For a side
    view the figure faces right; for a front view "left" limbs are the
    person's left, drawn on the viewer's right.
    """

    trunk: float  # hip centre -> neck
    head: float  # neck -> head centre
    upper_arm_l: float
    forearm_l: float
    upper_arm_r: float
    forearm_r: float
    thigh_l: float
    shin_l: float
    thigh_r: float
    shin_r: float


class Keyframe(_Strict):
    name: Text
    segments: Segments
    hold_s: float = Field(default=0, ge=0, description="How long this position is held.")


class Camera(_Strict):
    supported: bool
    view: View
    notes: str = ""


_SPOKEN_MARKS = re.compile(r"[()\[\]{}/\\*_#<>|]")


def _speakable(text: str, *, what: str, max_words: int) -> str:
    """Plain words a speech synthesiser reads well: no brackets or symbols, not too long.

    ``what``: the marked (``N_``) name of the line, translated in the message.
    """
    if _SPOKEN_MARKS.search(text):
        raise ValueError(
            _("the {what} is read aloud: write it without brackets or symbols").format(what=_(what))
        )
    words = len(text.split())
    if words > max_words:
        raise ValueError(
            _("the {what} is read aloud: keep it to {most} words, not {n}").format(
                what=_(what), most=max_words, n=words
            )
        )
    return text


class Voice(_Strict):
    """What the hands-free voice says at the start of the exercise, in the voice's own words.

    ``setup`` tells how to get into the start position in one spoken sentence;
    ``cue`` is the one thing to keep in mind while doing it.
    """

    setup: Text = Field(description="How to get into the start position: one sentence.")
    cue: Text = Field(description="The one key cue while doing the exercise.")

    @field_validator("setup")
    @classmethod
    def _one_spoken_sentence(cls, text: str) -> str:
        _speakable(text, what=N_("set-up line"), max_words=22)
        if len(text.split()) < 6:
            raise ValueError(_("the set-up line needs a few words to say how to get into position"))
        if not text.endswith(".") or re.search(r"[.!?]\s", text):
            raise ValueError(_("the set-up line is one sentence ending with a full stop"))
        return text

    @field_validator("cue")
    @classmethod
    def _short_cue(cls, text: str) -> str:
        return _speakable(text, what=N_("key cue"), max_words=14)


class Exercise(_Strict):
    id: Slug
    name: Text
    aliases: list[Text] = Field(
        default_factory=list,
        description="Other names people search for (e.g. 'birddog', 'hip bridge').",
    )
    stage: Stage
    kind: Kind
    core: bool = Field(description="True when the exercise is part of the source program.")
    purpose: Text
    muscles: list[Text] = Field(min_length=1)
    start_position: Text
    steps: list[Text] = Field(min_length=2)
    breathing: Text
    mistakes: list[Text] = Field(min_length=1)
    safety: list[Text] = Field(min_length=1)
    avoid_if: list[Text] = Field(min_length=1)
    dosage: Dosage
    easier: Variant
    harder: Variant
    camera: Camera
    keyframes: list[Keyframe] = Field(min_length=2)
    notes: str = ""
    voice: Voice = Field(description="The hands-free voice's set-up line and key cue.")

    @model_validator(mode="after")
    def _dosage_fits_kind(self) -> Self:
        needed = {
            Kind.REPS: "reps",
            Kind.BREATHING: "reps",
            Kind.HOLD: "hold_s",
            Kind.TIMED: "duration_s",
        }[self.kind]
        if getattr(self.dosage, needed) is None:
            raise ValueError(
                _("a '{kind}' exercise needs dosage.{field}").format(kind=self.kind, field=needed)
            )
        return self


class DoseOverride(_Strict):
    """A program's own dose for one step; unset fields use the exercise default."""

    sets: int | None = Field(default=None, ge=1)
    reps: int | None = Field(default=None, ge=1)
    hold_s: float | None = Field(default=None, gt=0)
    duration_s: float | None = Field(default=None, gt=0)


class ProgramStep(_Strict):
    """One exercise of a program, with the program's own dose and the variant to do."""

    exercise: Slug
    dose: DoseOverride = DoseOverride()
    variant: Literal["easier", "standard", "harder"] = "standard"


class Length(StrEnum):
    SHORT = "short"
    FULL = "full"


class Program(_Strict):
    id: Slug
    name: Text
    description: Text
    lengths: dict[Length, list[ProgramStep]] = Field(min_length=1)


class Tip(_Strict):
    id: Slug
    topic: Text
    title: Text
    text: Text
