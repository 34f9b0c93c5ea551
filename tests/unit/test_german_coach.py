"""The coach in German: a session's cues, the safety screening, the questionnaires, the
plan's reasons and the camera coach's words; STarT Back stays in its English original.

English is what the other coach tests check; here a few English answers are checked
again next to their German ones, so a translation never leaks into English.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from backcoach.coach.cues import Cue, cue_script, dose_words, step_start
from backcoach.coach.engine import (
    Activity,
    Back,
    EndReason,
    Hurt,
    Pause,
    Quit,
    RepDone,
    Resume,
    SessionEngine,
    Skip,
    Start,
    Tick,
)
from backcoach.coach.outcome import done_text, ending_say, title
from backcoach.coach.plan import SessionPlan, VariantLevel, default_step, plan_from_program
from backcoach.coach.planner import build_plan
from backcoach.coach.progression import STOP_MESSAGE, progress
from backcoach.coach.questionnaires import (
    ORIGINAL_ONLY_NOTE,
    RiskGroup,
    get,
    read_answers,
    risk_label,
    risk_meaning,
    score,
    summary_text,
)
from backcoach.coach.safety import (
    DISCLAIMER,
    QUESTION_IDS,
    QUESTIONS,
    Kind,
    evaluate,
    for_web,
    rescreen_reason,
)
from backcoach.content import Length, default_catalog
from backcoach.i18n import _, use_language
from backcoach.vision.analyzers.base import hold_cue
from backcoach.vision.counting import Dose
from backcoach.vision.framing import framing_hint
from backcoach.vision.view import view_hint
from backcoach.vision.wording import shown, shown_message
from tests.support.german import english_leftovers
from tests.unit.progression_factories import TODAY, record, screening, session

GERMAN = default_catalog("de")
ENGLISH = default_catalog()
PROGRAM = "back-basics"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
COACH_PO = Path(__file__).parents[2] / "src/backcoach/locale/de/LC_MESSAGES/coach.po"


def german(text: str) -> None:
    """``text`` is German (its ``{placeholders}`` left aside)."""
    assert text.strip(), "an empty text"
    assert english_leftovers(PLACEHOLDER.sub("", text)) == [], text


def walk(plan: SessionPlan, steps: int) -> list[Cue]:
    """The cues of a session run through its first ``steps`` steps (reps done, clocks run),
    paused, resumed, taken back a step, a step skipped, and ended."""
    engine = SessionEngine(plan)
    notices = engine.apply(Start(0.0))
    t = 0.0
    while engine.state.step_index < steps and not engine.state.finished:
        t += 1.0
        counting = engine.state.activity is Activity.COUNT_REPS
        notices += engine.apply(RepDone(t) if counting else Tick(t))
    for event in (Pause(t + 1), Resume(t + 2), Back(t + 3), Skip(t + 4), Quit(t + 5)):
        notices += engine.apply(event)
    return cue_script(notices, plan, GERMAN.exercises)


# --- the session -------------------------------------------------------------------------


def test_a_session_of_a_real_program_speaks_german() -> None:
    with use_language("de"):
        plan = plan_from_program(GERMAN, PROGRAM, Length.SHORT)
        cues = walk(plan, steps=4)
    kinds = {cue.kind for cue in cues}
    assert {"session_started", "step_started", "setup", "key_cue", "set_done"} <= kinds
    assert {"paused", "resumed", "step_reopened", "step_skipped", "session_finished"} <= kinds
    for cue in cues:
        german(cue.text)
    said = [cue.text for cue in cues]
    assert said[0] == "Los geht\u2019s."
    assert said[1].startswith("Zuerst: ")
    assert "Pausiert. Lassen Sie sich Zeit." in said
    assert said[-1].startswith("Einheit vorzeitig beendet. Sie haben ")


def test_the_same_session_in_english_is_unchanged() -> None:
    plan = plan_from_program(ENGLISH, PROGRAM, Length.SHORT)
    engine = SessionEngine(plan)
    said = [c.text for c in cue_script(engine.apply(Start(0.0)), plan, ENGLISH.exercises)]
    assert said[0] == "Let's begin."
    assert said[1].startswith("First: ")


def test_a_stored_plan_is_said_with_the_content_in_use() -> None:
    """An old session's plan keeps the names it was made with; the cues name the exercise
    in the reader's language."""
    english_plan = plan_from_program(ENGLISH, PROGRAM, Length.SHORT)
    first = english_plan.steps[0]
    with use_language("de"):
        intro = step_start(first, 0, 3, GERMAN.exercise(first.exercise_id))[0].text
    assert GERMAN.exercise(first.exercise_id).name.split(" (")[0] in intro
    german(intro)


@pytest.mark.parametrize("exercise_id", sorted(GERMAN.exercises))
def test_every_dose_is_said_in_german(exercise_id: str) -> None:
    exercise = GERMAN.exercise(exercise_id)
    base = default_step(exercise)
    shapes = [
        base,
        replace(base, sets=1),
        replace(base, sets=3, rest_s=20.0),
        replace(base, per_side=True, sets=2),
        replace(base, variant=VariantLevel.EASIER, hold_s=2.5),
    ]
    with use_language("de"):
        for step in shapes:
            german(dose_words(step))
            for cue in step_start(step, 1, 5, exercise):
                german(cue.text)


@pytest.mark.parametrize("reason", list(EndReason))
def test_the_end_words_are_german(reason: EndReason) -> None:
    with use_language("de"):
        for done in (0, 3):
            german(ending_say(reason, done, 14))
        german(title(reason))
        assert done_text(1, 1) == "Sie haben 1 von 1 Schritt gemacht."
    assert ending_say(EndReason.HURT, 0, 3).startswith("Stop and rest.")


def test_a_stop_for_pain_says_so_in_german() -> None:
    with use_language("de"):
        plan = plan_from_program(GERMAN, PROGRAM, Length.SHORT)
        engine = SessionEngine(plan)
        notices = engine.apply(Start(0.0)) + engine.apply(Hurt(5.0))
        last = cue_script(notices, plan, GERMAN.exercises)[-1].text
        stop = _(STOP_MESSAGE)
    assert last.startswith("Hören Sie auf und ruhen Sie sich aus.")
    german(stop)
    assert "nie gegen den Schmerz an" in stop


# --- the safety screening ------------------------------------------------------------------


def test_the_screening_questions_and_the_disclaimer_are_german() -> None:
    with use_language("de"):
        for question in QUESTIONS:
            for text in (question.text, question.help, question.caution):
                if text:
                    german(_(text))
                    assert _(text) != text
        german(_(DISCLAIMER))
    assert _(QUESTIONS[0].text).startswith("Since your back pain started")


@pytest.mark.parametrize(
    "flag", [q.id for q in QUESTIONS if q.kind is Kind.RED_FLAG], ids=lambda flag: flag
)
def test_a_red_flag_gives_a_german_message(flag: str) -> None:
    answers = dict.fromkeys(QUESTION_IDS, False) | {flag: True}
    with use_language("de"):
        result = evaluate(answers)
        german(result.message)
        german(for_web(result.message))
        assert "backcoach screening" in result.message
        assert "backcoach screening" not in for_web(result.message)
    assert "Please" in evaluate(answers).message


def test_cautions_and_rescreening_are_german() -> None:
    with use_language("de"):
        caution = evaluate(dict.fromkeys(QUESTION_IDS, False) | {"pregnancy": True})
        german(caution.message)
        for text in caution.caution_texts:
            german(text)
        german(evaluate(dict.fromkeys(QUESTION_IDS, False)).message)
        german(for_web(rescreen_reason(None, today=TODAY) or ""))
        old = screening(taken_on=TODAY.replace(month=1))
        german(rescreen_reason(old, today=TODAY) or "")


# --- questionnaires ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pain-function", "psfs"])
def test_pain_function_and_psfs_are_translated(name: str) -> None:
    with use_language("de"):
        shown_form = get(name).localized()
        assert shown_form.language_note == ""
        for text in (shown_form.title, shown_form.intro):
            german(text)
        for item in shown_form.items:
            for text in (item.text, item.low, item.high):
                if text:
                    german(text)
        _, errors = read_answers(get(name), {})
        for message in errors.values():
            german(message)
    assert get(name).localized() == get(name)  # English: as written


def test_scores_are_summed_up_in_german_and_stored_in_english() -> None:
    pain = score(
        "pain-function",
        {
            "pain": 5,
            "interference-activity": 4,
            "interference-sleep": 3,
            "interference-mood": 4,
        },
    )
    answers: dict[str, int | str] = {
        "activity-1": "Sitzen",
        "rating-1": 4,
        "activity-2": "Gehen",
        "rating-2": 5,
    }
    psfs = score("psfs", answers)
    with use_language("de"):
        assert pain.summary.startswith("Pain 5/10")  # stored as it was
        assert pain.shown_summary == (
            "Schmerz 5/10, Beeinträchtigung 3,7/10, insgesamt 4/10 (niedriger ist besser)."
        )
        assert psfs.shown_summary == "Durchschnitt 4,5/10 über 2 Tätigkeiten (höher ist besser)."
        stored = {"total": 6.0, "subscales": {"psychosocial": 4.0}, "risk_group": "high"}
        german(summary_text("startback", stored))
    assert summary_text("psfs", {"total": psfs.total, "subscales": psfs.subscales}) == psfs.summary


def test_start_back_stays_in_its_english_original_with_a_german_note() -> None:
    original = get("startback")
    with use_language("de"):
        shown_form = original.localized()
        assert shown_form.items == original.items
        assert shown_form.title == original.title
        assert shown_form.intro == original.intro
        assert shown_form.language_note == (
            "Der STarT-Back-Fragebogen wird im englischen Original gezeigt, weil seine Lizenz "
            "nur geprüfte Übersetzungen erlaubt."
        )
        assert shown_form.notice != original.notice
        german(shown_form.notice.replace("STarT Back", "STarT"))  # the tool's name stays
        for group in RiskGroup:
            german(risk_label(group))
            german(risk_meaning(group))
        assert risk_label(RiskGroup.HIGH) == "hohes Risiko"
    assert original.localized().language_note == ""
    assert _(ORIGINAL_ONLY_NOTE) == ORIGINAL_ONLY_NOTE
    assert risk_label("high") == "high risk"


# --- the plan's reasons ------------------------------------------------------------------


def test_the_plans_cautions_and_notes_are_german() -> None:
    hurt = session(1, record("glute-bridge", reps=10, hurt=True), pain_before=2, pain_after=2)
    with use_language("de"):
        new = build_plan(
            GERMAN, PROGRAM, Length.SHORT, [], today=TODAY, screening=screening(pregnancy=True)
        )
        backed_off = build_plan(
            GERMAN, PROGRAM, Length.SHORT, [hurt], today=TODAY, screening=screening()
        )
    assert new.cautions and backed_off.plan is not None
    for caution in new.cautions:
        german(caution)
    notes = [note for step in backed_off.plan.steps for note in step.notes]
    assert notes
    for note in notes:
        german(note)


def test_progression_reasons_are_german() -> None:
    exercise = GERMAN.exercise("glute-bridge")
    base = default_step(exercise)
    with use_language("de"):
        for step in (base, replace(base, variant=VariantLevel.EASIER)):
            _grown, why = progress(step, exercise, base)
            german(why)
    _grown, why = progress(base, ENGLISH.exercise("glute-bridge"), base)
    assert "sessions went well" in why


# --- the camera coach --------------------------------------------------------------------


def vision_messages() -> list[str]:
    """Every message of the coach catalog that the vision code makes."""
    with COACH_PO.open("rb") as handle:
        catalog = read_po(handle)
    return [
        str(message.id)
        for message in catalog
        if isinstance(message.id, str)
        and message.id
        and not message.context
        and any("/vision/" in path for path, _line in message.locations)
    ]


def test_the_camera_coachs_words_are_shown_in_german() -> None:
    messages = vision_messages()
    assert len(messages) > 40
    with use_language("de"):
        for message in messages:
            german(shown(message) or "")
    assert shown(messages[0]) == messages[0]  # English: as made


def test_cues_made_from_a_template_are_worded_afresh() -> None:
    cues = [
        hold_cue(Dose(hold_s=4.0), 1.6),
        hold_cue(Dose(hold_s=4.0), 3.5),
        framing_hint({"knee": "edge-y", "ankle": "edge-y"}),
        framing_hint({"hip": "edge-x"}),
        framing_hint({"ear": "hidden", "shoulder": "hidden", "hip": "hidden"}),
        view_hint("side", "front"),
        "Hold each lift for 2.5 seconds: that one did not count.",
    ]
    assert cues[0] == "Hold... 3 more seconds."
    with use_language("de"):
        worded = [shown(cue) for cue in cues]
        message = shown_message({"cue": cues[0], "hint": cues[2], "phase": "hold", "reps": 2})
    assert worded[0] == "Halten … noch 3 Sekunden."
    assert worded[1] == "Halten … noch 1 Sekunde."
    assert worded[2] == "Ich sehe Ihre Knie und Ihre Knöchel nicht: gehen Sie etwas zurück."
    assert worded[6] == ("Halten Sie jedes Anheben 2,5 Sekunden: Diese Wiederholung zählte nicht.")
    for text in worded:
        german(text or "")
    assert message == {"cue": worded[0], "hint": worded[2], "phase": "hold", "reps": 2}
