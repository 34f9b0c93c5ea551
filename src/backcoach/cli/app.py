"""The Typer application that every command module registers on.

Command modules (``content.py``, ``workout.py``, ...) import ``app`` and add
their commands with ``@app.command()``; ``backcoach.cli`` imports them all.
A ``BackcoachError`` raised anywhere below becomes a plain message on stderr
and its exit code, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from backcoach import __version__
from backcoach.cli import framework_text
from backcoach.errors import BackcoachError
from backcoach.i18n import _, language_from_env, set_language

console = Console()
err_console = Console(stderr=True)


def _choose_language() -> str | None:
    """Use the CLI's language (``i18n.language_from_env``) from here on; the problem, if any.

    Called when this module is imported, before any command is defined: Typer
    takes the help texts when the commands are declared.
    """
    try:
        set_language(language_from_env())
    except ValueError as exc:  # an unknown BACKCOACH_LANG: said by ``main``, English meanwhile
        return str(exc)
    return None


#: Why the language asked for could not be used (``main`` says so and stops), or None.
LANGUAGE_PROBLEM = _choose_language()
framework_text.install()


class _FriendlyErrors(TyperGroup):
    """The root group: a ``BackcoachError`` from any command becomes a message and its exit code.

    Overrides ``main`` (Click's documented entry point, which ``CliRunner``
    calls too) rather than ``invoke``, whose context type Typer keeps in a
    private module.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            return super().main(
                args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra
            )
        except BackcoachError as exc:
            # One line, wrapped by the terminal: a path in the message stays whole to copy.
            err_console.print(
                _("[bold red]Error:[/] {message}").format(message=exc),
                highlight=False,
                soft_wrap=True,
            )
            if not standalone_mode:
                return exc.exit_code  # what Click returns for an exit in this mode
            sys.exit(exc.exit_code)


def new_typer(**kwargs: Any) -> typer.Typer:
    """A Typer (sub-)application with backcoach's error handling."""
    return typer.Typer(
        cls=_FriendlyErrors,
        no_args_is_help=True,
        pretty_exceptions_show_locals=False,
        **kwargs,
    )


app = new_typer(
    help=_(
        "backcoach: a local-first back-health coach. Start with `backcoach serve` "
        "(or `make run`) for the web app, or `backcoach workout` in the terminal."
    ),
)


def _show_version(value: bool) -> None:
    if value:
        console.print(f"backcoach {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help=_("Show the version.")
        ),
    ] = False,
) -> None:
    """backcoach: a local-first back-health coach."""
