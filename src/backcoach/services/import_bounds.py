"""What an imported value may be: finite, bounded numbers, sane dates, short text.

An import file comes from outside, so every value in it is held to limits
that the rest of the app can rely on: no NaN or infinity anywhere (``1e400``
parses as infinity, so it is refused too), whole numbers within 2^53,
timestamps between the years 2000 and 2100, text without NUL characters and
of bounded length, and free-form JSON (screening answers, scores, plans,
snapshots, settings) bounded in depth and size. The types here are pydantic
annotations; a value outside them fails validation with a plain message.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, JsonValue, StringConstraints
from pydantic_core import ErrorDetails

from backcoach.i18n import N_, _, ngettext

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
MAX_INT = 2**53  # exact in every JSON reader, and far inside 64-bit columns
MAX_JSON_DEPTH = 20
MAX_JSON_ITEMS = 20_000  # values in one JSON document (an answer set, a plan ...)
MAX_JSON_TEXT = 10_000  # characters in one JSON string
MAX_JSON_KEY = 200  # characters in one JSON object key
MAX_STEPS = 100  # steps in one session plan
MAX_SETS = 20
MAX_COUNT = 10_000  # reps or breaths of one step
MAX_SECONDS = 86_400.0  # one dose, rest, hold or step: at most a day
MAX_AMOUNT = 10_000.0  # a habit log's minutes or count


def _plain_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError(_("text cannot contain NUL characters"))
    return value


def _in_range(value: datetime) -> datetime:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(_("the time must be between the years 2000 and 2100"))
    return value


def _day_in_range(value: date) -> date:
    if not EARLIEST.date() <= value <= LATEST.date():
        raise ValueError(_("the date must be between the years 2000 and 2100"))
    return value


Id = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_plain_text)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=16), AfterValidator(_plain_text)]
Word = Annotated[str, StringConstraints(min_length=1, max_length=32), AfterValidator(_plain_text)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_plain_text)]
Note = Annotated[str, StringConstraints(max_length=500), AfterValidator(_plain_text)]
Moment = Annotated[AwareDatetime, AfterValidator(_in_range)]
Day = Annotated[date, AfterValidator(_day_in_range)]
Pain = Annotated[int, Field(ge=0, le=10, strict=True)]
RowId = Annotated[int, Field(ge=1, le=MAX_INT, strict=True)]
StepIndex = Annotated[int, Field(ge=0, lt=MAX_STEPS, strict=True)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT, strict=True)]
Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False, strict=True)]
Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False, strict=True)]


def check_json(value: JsonValue) -> JsonValue:
    """``value`` unchanged if it keeps the limits above.

    Raises:
        ValueError: naming what is wrong and where inside ``value``.
    """
    items = 0

    def walk(node: JsonValue, where: str, depth: int) -> None:
        nonlocal items
        items += 1
        if items > MAX_JSON_ITEMS:
            raise ValueError(_("more than {n} values").format(n=MAX_JSON_ITEMS))
        if depth > MAX_JSON_DEPTH:
            raise ValueError(
                _("nested more than {n} levels deep").format(n=MAX_JSON_DEPTH) + _at(where)
            )
        if isinstance(node, bool) or node is None:
            return
        if isinstance(node, int):
            if abs(node) > MAX_INT:
                raise ValueError(_("whole numbers must be between -2^53 and 2^53") + _at(where))
        elif isinstance(node, float):
            if not math.isfinite(node):
                raise ValueError(
                    _(
                        "numbers must be finite (NaN, Infinity and numbers too large "
                        "to store are refused)"
                    )
                    + _at(where)
                )
        elif isinstance(node, str):
            _check_string(node, where, MAX_JSON_TEXT)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}[{i}]", depth + 1)
        else:
            for key, item in node.items():
                _check_string(key, where, MAX_JSON_KEY)
                walk(item, f"{where}.{key}" if where else key, depth + 1)

    walk(value, "", 0)
    return value


def _check_string(text: str, where: str, limit: int) -> None:
    if len(text) > limit:
        raise ValueError(_("text longer than {n} characters").format(n=limit) + _at(where))
    if "\x00" in text:
        raise ValueError(_("text cannot contain NUL characters") + _at(where))


def _at(where: str) -> str:
    return " " + _("(at {where})").format(where=where) if where else ""


Json = Annotated[JsonValue, AfterValidator(check_json)]
JsonObject = Annotated[dict[str, JsonValue], AfterValidator(check_json)]


# pydantic's own messages (English only) for the checks above, by error type: the
# English text is pydantic's, so a message reads the same as before in English.
_PYDANTIC_MESSAGES: dict[str, str] = {
    "json_invalid": N_("Invalid JSON: {error}"),
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "model_type": N_("Input should be a valid dictionary or instance of {class_name}"),
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "finite_number": N_("Input should be a finite number"),
    "string_type": N_("Input should be a valid string"),
    "dict_type": N_("Input should be a valid dictionary"),
    "list_type": N_("Input should be a valid list"),
    "bool_type": N_("Input should be a valid boolean"),
    "int_type": N_("Input should be a valid integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "float_type": N_("Input should be a valid number"),
    "enum": N_("Input should be {expected}"),
    "literal_error": N_("Input should be {expected}"),
    "date_type": N_("Input should be a valid date"),
    "date_parsing": N_("Input should be a valid date in the format YYYY-MM-DD, {error}"),
    "datetime_type": N_("Input should be a valid datetime"),
    "datetime_parsing": N_("Input should be a valid datetime, {error}"),
    "timezone_aware": N_("Input should have timezone info"),
}


def problem_message(error: ErrorDetails) -> str:
    """One pydantic error's message in the language in use (pydantic's English otherwise).

    A check of ours raises its message already translated; pydantic's own checks
    are looked up by type, with the values pydantic puts in the message.
    """
    message = error["msg"].removeprefix("Value error, ")
    ctx = error.get("ctx", {})
    kind = error["type"]
    if kind == "string_too_long":
        n = int(ctx["max_length"])
        return ngettext(
            "String should have at most {max_length} character",
            "String should have at most {max_length} characters",
            n,
        ).format(max_length=n)
    if kind == "string_too_short":
        n = int(ctx["min_length"])
        return ngettext(
            "String should have at least {min_length} character",
            "String should have at least {min_length} characters",
            n,
        ).format(min_length=n)
    template = _PYDANTIC_MESSAGES.get(kind)
    if template is None or _(template) == template:
        return message
    values = {key: _plain(value) for key, value in ctx.items()}
    if "expected" in values:  # pydantic's choices: "'short' or 'full'"
        head, _or, last = values["expected"].rpartition(" or ")
        values["expected"] = f"{head} {_('or')} {last}" if head else last
    return _(template).format(**values)


def _plain(value: object) -> str:
    """A value of pydantic's context as its message writes it (a whole float without ``.0``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
