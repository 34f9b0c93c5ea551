"""The README's clinic set-up and the files in docs/clinic/ say the same thing.

The README shows the systemd unit's core, the Caddyfile and what nginx needs;
the files are what a clinic copies. A setting changed in one place only would
leave a clinic with instructions that do not match the files it installs.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from backcoach.cli.serve import serve

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CLINIC = README.split("## Run it for a clinic", 1)[1].split("\n## ", 1)[0]
DOCS = ROOT / "docs" / "clinic"


def blocks(language: str) -> list[str]:
    """The README clinic section's fenced code blocks in ``language`` (``""`` for none)."""
    fenced = re.findall(r"```(\w*)\n(.*?)```", CLINIC, flags=re.DOTALL)
    return [body for tag, body in fenced if tag == language]


def settings(text: str) -> list[str]:
    """The lines that do something: no comments, no blank lines, no trailing comments."""
    lines = (line.split(" # ")[0].strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def test_the_readmes_unit_lines_are_the_unit_files() -> None:
    (unit,) = blocks("ini")
    installed = settings((DOCS / "backcoach.service").read_text(encoding="utf-8"))
    missing = [line for line in settings(unit) if line not in installed]
    assert not missing, f"in the README but not in docs/clinic/backcoach.service: {missing}"
    assert "EnvironmentFile=/etc/backcoach/env" in installed
    assert any(line.startswith("ExecStart=") and "--proxy-headers" in line for line in installed)


def test_the_readmes_caddyfile_is_the_file() -> None:
    (caddy,) = [b for b in blocks("") if b.startswith("clinic.example.org {")]
    assert settings(caddy) == settings((DOCS / "Caddyfile").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "directive",
    [
        "proxy_pass http://127.0.0.1:8000;",
        "proxy_http_version 1.1;",
        "proxy_set_header Host $host;",
        "proxy_set_header X-Forwarded-For $remote_addr;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        "proxy_set_header Upgrade $http_upgrade;",
        "proxy_set_header Connection $connection_upgrade;",
        "client_max_body_size 50m;",
    ],
)
def test_nginx_directives_are_in_the_readme_and_the_file(directive: str) -> None:
    (nginx,) = blocks("nginx")
    assert directive in settings(nginx)
    assert directive in settings((DOCS / "nginx.conf").read_text(encoding="utf-8"))


def test_the_serve_options_the_readme_uses_exist() -> None:
    names = set(inspect.signature(serve).parameters)
    assert {"host", "port", "workers", "proxy_headers", "forwarded_allow_ips"} <= names
    for option in ("--workers 2", "--proxy-headers", "--forwarded-allow-ips"):
        assert option in CLINIC
