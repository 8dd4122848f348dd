#!/usr/bin/env python3
"""`make install`: create `.venv` and install the project into it, only when needed.

Runs with whatever `python3` is on PATH (the only thing a fresh machine needs). Reinstalling on
every `make up` would cost a minute and need the network, so the SHA-256 of pyproject.toml is
kept in `.venv/.installed` and pip runs only when that file changed (or the virtualenv is new or
broken). A hash, not an mtime, because a git checkout touches files without changing them.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv"
STAMP = VENV / ".installed"
PYPROJECT = REPO / "pyproject.toml"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def venv_works() -> bool:
    python = venv_python()
    if not python.exists():
        return False
    probe = "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)"
    result = subprocess.run([str(python), "-c", probe], capture_output=True, check=False)
    return result.returncode == 0


def main() -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - runs under any python3 found on PATH
        print(
            f"Python 3.11+ is needed, {sys.executable} is {sys.version.split()[0]}. "
            "Run `make PYTHON=python3.11 ...` with a newer interpreter.",
            file=sys.stderr,
        )
        return 1
    digest = hashlib.sha256(PYPROJECT.read_bytes()).hexdigest()
    if venv_works() and STAMP.exists() and STAMP.read_text().strip() == digest:
        return 0

    if not venv_works():
        print(f"creating virtualenv {VENV.relative_to(REPO)} with {sys.executable}", flush=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        except subprocess.CalledProcessError:
            print(
                "python3 -m venv failed. On Debian/Ubuntu install the venv module first: "
                "apt-get install python3-venv",
                file=sys.stderr,
            )
            return 1
    python = str(venv_python())
    print("installing the project and its pinned dependencies into .venv", flush=True)
    pip = [python, "-m", "pip", "--disable-pip-version-check"]
    result = subprocess.run([*pip, "install", "-e", ".[dev]"], cwd=REPO, check=False)
    if result.returncode != 0:
        STAMP.unlink(missing_ok=True)
        return result.returncode
    STAMP.write_text(digest + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
