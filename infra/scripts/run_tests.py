#!/usr/bin/env python3
"""`make test`: the whole suite, on embedded services unless DATABASE_URL / REDIS_URL are set.

Extra arguments go to pytest unchanged (`make test ARGS="-k onboarding -x"`); the exit code is
pytest's. Browser tests drive Debian's Chromium through Playwright: without a Chromium they are
skipped (MALL_SKIP_BROWSER=1) and this says so, except under CI (CI=true), where a missing browser
is a failure, so a CI run can never pass without having run the browser journey.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import services

DEFAULT_CHROMIUM = "/usr/bin/chromium"


def find_chromium() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
        return candidate
    found = shutil.which("chromium")
    return found if not os.environ.get("CHROMIUM_PATH") else None


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def main(pytest_args: list[str]) -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings.test"
    os.environ.setdefault("PYTHONUNBUFFERED", "1")

    chromium = find_chromium()
    if chromium:
        os.environ["CHROMIUM_PATH"] = chromium
        os.environ.pop("MALL_SKIP_BROWSER", None)
    elif under_ci():
        wanted = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
        print(
            f"Chromium not found at {wanted}, and CI=true: browser tests cannot be skipped in CI. "
            "Install it (apt-get install chromium fonts-noto-cjk) or set CHROMIUM_PATH.",
            file=sys.stderr,
            flush=True,
        )
        return 2
    else:
        print("Chromium not found: browser tests will be skipped", flush=True)
        os.environ["MALL_SKIP_BROWSER"] = "1"

    # Until pytest runs, SIGTERM aborts like Ctrl-C (start_services cleans up after itself).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with services.running_services(purpose="test", database="mall"):
            child = subprocess.Popen(
                [sys.executable, "-m", "pytest", *pytest_args], cwd=services.REPO
            )

            # Ctrl-C reaches pytest directly (same process group); let it finish its teardown
            # (it drops the test database), then the services stop. make sends SIGTERM to this
            # process only: pass it on.
            def forward(signum, _frame):
                if signum == signal.SIGTERM and child.poll() is None:
                    child.send_signal(signal.SIGTERM)

            signal.signal(signal.SIGINT, forward)
            signal.signal(signal.SIGTERM, forward)
            return services.exit_code(child.wait())
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
