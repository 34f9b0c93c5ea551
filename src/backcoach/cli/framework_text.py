"""The words Typer writes itself ("Usage:", "Options", "Missing option" ...), in the CLI's language.

Typer (0.29 and later) carries its own copy of Click, whose messages are plain
English f-strings, not gettext messages; only ``typer.core`` and
``typer.rich_utils`` look theirs up with the standard library's ``gettext``.
``install`` (called once, when ``cli.app`` is imported, after the language is
chosen) reaches each kind in one place:

- ``typer.core``'s ``_`` becomes backcoach's lookup ("Aborted!", "Missing command.");
- the Rich help's panel titles and ``[default: ...]`` labels are constants of
  ``typer.rich_utils``: set from the catalog;
- the usage line's "Usage:" prefix and the help of the options Typer adds
  itself (``--help``, ``--install-completion``) are translated where Click makes
  them (``HelpFormatter.write_usage``, ``Command.get_params``);
- an error message is said again from the catalog by its English shape
  (``ERROR_PATTERNS``, the sentences Click builds) before Typer prints it;
- Rich's prompts ("Please enter Y or N") keep their complaints in class
  attributes: set from the catalog;
- Typer checks option values with pydantic, whose messages ("Input should be
  greater than or equal to 1") are said again by their error type
  (``VALIDATION_MESSAGES``).

In English every message is its msgid: the output does not change.
"""

from __future__ import annotations

import re
from typing import Any

from rich.prompt import Confirm, IntPrompt, PromptBase
from typer import _coercion, _param_types, rich_utils
from typer import core as typer_core
from typer._click import core as click_core
from typer._click import formatting as click_formatting
from typer._click.exceptions import ClickException

from backcoach.i18n import N_, gettext

#: Typer's Rich help constants (``typer.rich_utils``) and their msgids.
RICH_TEXTS: dict[str, str] = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "DEPRECATED_STRING": N_("(deprecated) "),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}

#: What ``typer.core`` looks up with ``gettext`` (the ones a person can meet).
TYPER_MESSAGES: tuple[str, ...] = (
    N_("Aborted!"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
    N_("(dynamic)"),
)

#: The help of the options Typer adds to every command or to the root.
OPTION_HELP: tuple[str, ...] = (
    N_("Show this message and exit."),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
)

#: Rich's prompts' complaints (``cli.checkin`` asks with them).
PROMPT_TEXTS: tuple[tuple[type[PromptBase[Any]], str, str], ...] = (
    (PromptBase, "illegal_choice_message", N_("Please select one of the available options")),
    (IntPrompt, "validate_error_message", N_("Please enter a valid integer number")),
    (Confirm, "validate_error_message", N_("Please enter Y or N")),
)

USAGE_PREFIX = N_("Usage:")
#: The word between the last two choices pydantic lists ("'before' or 'after'").
OR = N_("or")

#: Click's error sentences (as its copy in Typer builds them) and their msgids; the
#: ``message`` part is itself one of these sentences or pydantic's, said again too.
ERROR_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), message)
    for pattern, message in (
        (
            r"Invalid value for (?P<hint>.+?): (?P<message>.*)",
            N_("Invalid value for {hint}: {message}"),
        ),
        (r"Invalid value: (?P<message>.*)", N_("Invalid value: {message}")),
        (r"Missing option (?P<hint>.+)\.", N_("Missing option {hint}.")),
        (r"Missing argument (?P<hint>.+)\.", N_("Missing argument {hint}.")),
        (r"Missing parameter (?P<hint>.+)\.", N_("Missing parameter {hint}.")),
        (
            r"No such option: (?P<name>\S+) \(Possible options: (?P<options>.+)\)",
            N_("No such option: {name} (Possible options: {options})"),
        ),
        (r"No such option: (?P<name>\S+)", N_("No such option: {name}")),
        (
            r"Got unexpected extra argument\(s\) \((?P<args>.*)\)",
            N_("Got unexpected extra argument(s) ({args})"),
        ),
        (
            r"Option (?P<name>'.+') requires an argument\.",
            N_("Option {name} requires an argument."),
        ),
        (
            r"Option (?P<name>'.+') does not take a value\.",
            N_("Option {name} does not take a value."),
        ),
        (
            r"(?P<value>'.*') is not one of (?P<choices>.+)\.",
            N_("{value} is not one of {choices}."),
        ),
        (
            r"Value (?P<value>'.*') is not a valid (?P<label>.+)\.",
            N_("Value {value} is not a valid {label}."),
        ),
        (r"File (?P<name>'.+') does not exist\.", N_("File {name} does not exist.")),
        (r"Directory (?P<name>'.+') does not exist\.", N_("Directory {name} does not exist.")),
        (r"Path (?P<name>'.+') does not exist\.", N_("Path {name} does not exist.")),
        (
            r"(?P<message>.+)\. Did you mean (?P<suggestions>.+)\?",
            N_("{message}. Did you mean {suggestions}?"),
        ),
    )
)

#: pydantic's error types (Typer's value checks) and their messages, as pydantic writes them.
VALIDATION_MESSAGES: dict[str, str] = {
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "greater_than": N_("Input should be greater than {gt}"),
    "less_than": N_("Input should be less than {lt}"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "enum": N_("Input should be {expected}"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "value_error": N_("Value error, {error}"),
}


def framework_message(text: str) -> str:
    """One of Click's error sentences in the CLI's language (any other text as it is)."""
    for pattern, message in ERROR_PATTERNS:
        match = pattern.fullmatch(text)
        if match is not None:
            parts = match.groupdict()
            if "message" in parts:
                parts["message"] = framework_message(parts["message"])
            return gettext(message).format(**parts)
    return text


def validation_message(exc: Any) -> str:
    """The first error of a pydantic ``ValidationError`` in the CLI's language."""
    errors = exc.errors()
    if not errors:
        return str(exc)
    first = errors[0]
    known = VALIDATION_MESSAGES.get(str(first.get("type")))
    if known is None:
        return str(first["msg"])
    context = {key: str(value) for key, value in first.get("ctx", {}).items()}
    if "error" in context:  # a Typer check's own ValueError: one of Click's sentences
        context["error"] = framework_message(context["error"])
    if "expected" in context:  # "'before' or 'after'"
        context["expected"] = context["expected"].replace("' or '", "' " + gettext(OR) + " '")
    return gettext(known).format(**context)


def install() -> None:
    """Make Typer's own words speak the CLI's language (see the module doc)."""
    typer_core._ = gettext  # type: ignore[attr-defined]
    _coercion.get_error_msg = validation_message  # type: ignore[attr-defined]
    _param_types.get_error_msg = validation_message  # type: ignore[attr-defined]
    for constant, message in RICH_TEXTS.items():
        setattr(rich_utils, constant, gettext(message))
    for prompt, attribute, message in PROMPT_TEXTS:
        style = (
            "prompt.invalid.choice" if attribute == "illegal_choice_message" else "prompt.invalid"
        )
        setattr(prompt, attribute, f"[{style}]{gettext(message)}")

    write_usage = click_formatting.HelpFormatter.write_usage

    def translated_usage(
        self: click_formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None
    ) -> None:
        write_usage(self, prog, args, gettext(USAGE_PREFIX) + " " if prefix is None else prefix)

    click_formatting.HelpFormatter.write_usage = translated_usage  # type: ignore[method-assign]

    get_params = click_core.Command.get_params

    def translated_params(self: click_core.Command, ctx: click_core.Context) -> Any:
        params = get_params(self, ctx)
        for param in params:
            help_text = getattr(param, "help", None)
            if help_text in OPTION_HELP:
                param.help = gettext(help_text)  # type: ignore[attr-defined]
        return params

    click_core.Command.get_params = translated_params  # type: ignore[method-assign]

    format_error = rich_utils.rich_format_error

    def translated_error(self: ClickException) -> None:
        message = framework_message(self.format_message())
        self.format_message = lambda: message  # type: ignore[method-assign]
        format_error(self)

    rich_utils.rich_format_error = translated_error
