"""The words Typer writes itself ("Usage:", "Options", "Missing option" ...), in the CLI's language.

Typer (0.29 and later) carries its own copy of Click, whose messages are plain
English f-strings, not gettext messages. ``install`` (called once, when
``cli.app`` is imported, after the language is chosen) reaches each kind
through Typer's public modules only (``typer.core``, ``typer.rich_utils``), so a
Typer release that reshuffles its private parts does not break the CLI:

- the Rich help's panel titles and ``[default: ...]`` labels are constants of
  ``typer.rich_utils``: set from the catalog;
- the usage line's "Usage:" prefix and the help of the options Typer adds
  itself (``--help``, ``--install-completion``) are translated where Typer's
  command classes hand them out (``get_usage``, ``get_params``);
- an error message is said again from the catalog by its English shape
  (``ERROR_PATTERNS``, the sentences Click builds, and ``VALIDATION_PATTERNS``,
  pydantic's checks of option values) before Typer prints it;
- Rich's prompts ("Please enter Y or N") keep their complaints in class
  attributes: set from the catalog.

In English every message is its msgid: the output does not change.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from rich.prompt import Confirm, IntPrompt, PromptBase
from typer import rich_utils
from typer.core import TyperCommand, TyperGroup

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
        (r"No such command (?P<name>'.+')\.", N_("No such command {name}.")),
        (r"Missing command\.", N_("Missing command.")),
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

#: pydantic's checks of option values (Typer's), as pydantic words them, and their msgids.
VALIDATION_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), message)
    for pattern, message in (
        (
            r"Input should be greater than or equal to (?P<ge>\S+)",
            N_("Input should be greater than or equal to {ge}"),
        ),
        (
            r"Input should be less than or equal to (?P<le>\S+)",
            N_("Input should be less than or equal to {le}"),
        ),
        (r"Input should be greater than (?P<gt>\S+)", N_("Input should be greater than {gt}")),
        (r"Input should be less than (?P<lt>\S+)", N_("Input should be less than {lt}")),
        (
            r"Input should be a valid integer, unable to parse string as an integer",
            N_("Input should be a valid integer, unable to parse string as an integer"),
        ),
        (
            r"Input should be a valid number, unable to parse string as a number",
            N_("Input should be a valid number, unable to parse string as a number"),
        ),
        (
            r"Input should be a valid boolean, unable to interpret input",
            N_("Input should be a valid boolean, unable to interpret input"),
        ),
        (r"Input should be (?P<expected>'.+')", N_("Input should be {expected}")),
        (r"Value error, (?P<error>.+)", N_("Value error, {error}")),
    )
)


class _Printable(Protocol):
    """What Typer's error printer takes: a Click exception (Typer's own copy of Click)."""

    def format_message(self) -> str: ...


def framework_message(text: str) -> str:
    """One of Click's error sentences, or pydantic's check of a value, in the CLI's
    language (any other text as it is)."""
    for pattern, message in ERROR_PATTERNS + VALIDATION_PATTERNS:
        match = pattern.fullmatch(text)
        if match is not None:
            parts = match.groupdict()
            for inner in ("message", "error"):  # itself one of these sentences
                if inner in parts:
                    parts[inner] = framework_message(parts[inner])
            if "expected" in parts:  # "'before' or 'after'"
                parts["expected"] = parts["expected"].replace("' or '", f"' {gettext(OR)} '")
            return gettext(message).format(**parts)
    return text


def install() -> None:
    """Make Typer's own words speak the CLI's language (see the module doc)."""
    for constant, message in RICH_TEXTS.items():
        setattr(rich_utils, constant, gettext(message))
    for prompt, attribute, message in PROMPT_TEXTS:
        style = (
            "prompt.invalid.choice" if attribute == "illegal_choice_message" else "prompt.invalid"
        )
        setattr(prompt, attribute, f"[{style}]{gettext(message)}")
    for command_class in (TyperCommand, TyperGroup):
        _translate_usage_and_help(command_class)

    format_error = rich_utils.rich_format_error

    def translated_error(self: _Printable) -> None:
        message = framework_message(self.format_message())
        self.format_message = lambda: message  # type: ignore[method-assign]
        format_error(self)  # type: ignore[arg-type]

    rich_utils.rich_format_error = translated_error


def _translate_usage_and_help(command_class: type[TyperCommand] | type[TyperGroup]) -> None:
    """The "Usage:" prefix and the help of Typer's own options, from the catalog."""
    get_usage = command_class.get_usage
    get_params = command_class.get_params
    english_prefix = "Usage: "

    def translated_usage(self: Any, ctx: Any) -> str:
        usage: str = get_usage(self, ctx)
        if usage.startswith(english_prefix):
            usage = gettext(USAGE_PREFIX) + " " + usage.removeprefix(english_prefix)
        return usage

    def translated_params(self: Any, ctx: Any) -> Any:
        params = get_params(self, ctx)
        for param in params:
            help_text = getattr(param, "help", None)
            if help_text in OPTION_HELP:
                setattr(param, "help", gettext(help_text))  # noqa: B010 (a Parameter of either kind)
        return params

    command_class.get_usage = translated_usage  # type: ignore[method-assign]
    command_class.get_params = translated_params  # type: ignore[method-assign]
