#!/usr/bin/env python3
"""`make up`: the whole mall on one machine, with one command.

Steps: PostgreSQL and Redis (embedded under `.data/` unless DATABASE_URL / REDIS_URL are set, see
services.py), `migrate_schemas` (also keeps the shop template schema current), `collectstatic`,
`seed_demo` (idempotent), `search_rebuild --missing`, then gunicorn and one Celery process running worker and beat together.
It prints the URLs and demo logins and runs until Ctrl-C (SIGINT) or SIGTERM, then stops
everything it started, in order: web and worker first (so no task dies half-way because Redis
went away), then Redis, then PostgreSQL.

Why the children run in their own sessions: Ctrl-C in a terminal signals the whole foreground
process group at once, which would stop Redis and the worker together and fill the screen with
connection errors. Here only this script (and make) receive it and the stop order is ours. A
session that dies without cleaning up (kill -9) leaves pid files in `.data/run/`; the next
`make up` stops those orphans before starting.

Environment: PORT (default 8000), MALL_DOMAIN (default mall.localhost), DATABASE_URL, REDIS_URL,
WEB_WORKERS / WEB_THREADS / CELERY_CONCURRENCY to resize, GUNICORN_CMD_ARGS for extra gunicorn
options (e.g. "--reload").
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import services

REPO = services.REPO
RUN_DIR = services.DATA / "run"
PYTHON = sys.executable

DEMO_SHOPS = ("tea", "gadgets", "books", "digital")


def say(message: str) -> None:
    print(f"[up] {message}", flush=True)


class Stop(Exception):
    """Raised by the signal handler while setting up, so set-up steps are abandoned at once."""


class Signals:
    """SIGINT / SIGTERM: abort the set-up, or ask the running stack to stop; twice = hurry."""

    def __init__(self) -> None:
        self.received = 0
        self.raise_on_signal = True
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum: int, _frame) -> None:
        self.received += 1
        if self.raise_on_signal:
            self.raise_on_signal = False  # a second signal must not interrupt the clean-up
            raise Stop(signal.Signals(signum).name)


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def stop_orphans() -> None:
    """Stop gunicorn / celery left running by a `make up` that was killed without clean-up.

    A pid file names the process; it is stopped only when it still looks like ours (same
    command) and the `make up` that started it is gone (it was re-parented). A live owner
    means another `make up` is running: refuse rather than kill someone else's session.
    """
    import psutil

    if not RUN_DIR.exists():
        return
    for pidfile in RUN_DIR.glob("*.pid"):
        try:
            proc = psutil.Process(int(pidfile.read_text().strip()))
            cmdline = " ".join(proc.cmdline())
        except (ValueError, OSError, psutil.Error):
            pidfile.unlink(missing_ok=True)
            continue
        if pidfile.stem not in cmdline:
            pidfile.unlink(missing_ok=True)
            continue
        parent = proc.parent()
        if parent is not None and "up.py" in " ".join(parent.cmdline()):
            raise SystemExit(
                f"another `make up` is running (pid {parent.pid}); stop it first (Ctrl-C there)."
            )
        say(f"stopping {pidfile.stem} (pid {proc.pid}) left over from an earlier run")
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
        except (OSError, psutil.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
        pidfile.unlink(missing_ok=True)


def manage(*args: str) -> None:
    say("manage.py " + " ".join(args))
    subprocess.run([PYTHON, "manage.py", *args], cwd=REPO, check=True)


def spawn(name: str, command: list[str]) -> subprocess.Popen:
    # start_new_session: see the module docstring (Ctrl-C reaches only this script).
    return subprocess.Popen(command, cwd=REPO, start_new_session=True, stdin=subprocess.DEVNULL)


def wait_healthy(port: int, children: dict[str, subprocess.Popen], timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, child in children.items():
            if child.poll() is not None:
                raise RuntimeError(f"{name} exited with code {child.returncode} while starting")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def stop_children(children: dict[str, subprocess.Popen], signals: Signals) -> None:
    """SIGTERM (gunicorn: graceful; celery: warm shutdown), then SIGKILL the process group."""
    for name, child in children.items():
        if child.poll() is None:
            say(f"stopping {name}")
            try:
                os.killpg(child.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 25
    hurried = signals.received
    while any(c.poll() is None for c in children.values()):
        if time.monotonic() > deadline or signals.received > hurried:
            for name, child in children.items():
                if child.poll() is None:
                    say(f"{name} did not stop in time; killing it")
            break
        time.sleep(0.2)
    # Kill what is left in each group (also prefork / gthread workers of a killed master).
    for child in children.values():
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        child.wait()
    for name in children:  # a killed master leaves its pid file behind
        (RUN_DIR / f"{name}.pid").unlink(missing_ok=True)


def gunicorn_argv(*, bind: str, pid_file: Path | None = None, access_log: bool = True) -> list[str]:
    """The web server as `make up` runs it (gthread, WEB_WORKERS x WEB_THREADS); the storefront
    benchmark starts the same command."""
    argv = [PYTHON, "-m", "gunicorn", "backend.wsgi:application",
            "--worker-class", "gthread",
            "--workers", os.environ.get("WEB_WORKERS", "2"),
            "--threads", os.environ.get("WEB_THREADS", "4"),
            "--bind", bind,
            "--graceful-timeout", "10"]
    if access_log:
        argv += ["--access-logfile", "-"]
    if pid_file is not None:
        argv += ["--pid", str(pid_file)]
    return argv


def banner(port: int, domain: str) -> str:
    suffix = "" if port == 80 else f":{port}"
    mall = f"http://{domain}{suffix}"
    shops = "\n".join(f"    {s:<8} http://{s}.{domain}{suffix}/" for s in DEMO_SHOPS)
    return f"""
  The mall is running. Ctrl-C stops everything.

  Mall               {mall}/
  Operator console   http://ops.{domain}{suffix}/
  Demo shops (storefront; merchant console at /console/):
{shops}
  API docs           {mall}/api/docs/
  Dev SMS inbox      {mall}/dev/sms/

  Demo logins
    operator   admin@mall.localhost     Operator#2026
    merchants  owner@tea.example        Merchant#2026
               owner@gadgets.example    Merchant#2026
               owner@books.example      Merchant#2026
               owner@digital.example    Merchant#2026
    consumer   shopper@example.com      Shopper#2026

  Browsers resolve *.localhost to this machine; other tools may need /etc/hosts entries.
"""


def main() -> int:
    signals = Signals()
    port = int(os.environ.get("PORT") or 8000)
    domain = os.environ.setdefault("MALL_DOMAIN", "mall.localhost").lower()
    os.environ["PORT"] = str(port)
    os.environ["MALL_PORT"] = str(port)  # links between hosts carry the port
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings.dev"
    os.environ.setdefault("PYTHONUNBUFFERED", "1")

    children: dict[str, subprocess.Popen] = {}
    stack: services.Services | None = None
    code = 0
    try:
        stop_orphans()
        if not port_is_free(port):
            say(f"port {port} is already in use; set PORT to use another one")
            return 1
        stack = services.start_services(purpose="up", database="mall")
        manage("migrate_schemas", "--noinput")
        manage("collectstatic", "--noinput", "--verbosity", "0")
        manage("seed_demo")
        manage("search_rebuild", "--missing")

        RUN_DIR.mkdir(parents=True, exist_ok=True)
        children["gunicorn"] = spawn(
            "gunicorn", gunicorn_argv(bind=f"0.0.0.0:{port}", pid_file=RUN_DIR / "gunicorn.pid"))
        children["celery"] = spawn(
            "celery",
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "backend",
                "worker",
                "-B",
                "-l",
                "info",
                "--concurrency",
                os.environ.get("CELERY_CONCURRENCY", "2"),
                # Beat keeps its schedule state in a file; keep it out of the working tree.
                "--schedule",
                str(services.DATA / "celerybeat-schedule"),
                "--pidfile",
                str(RUN_DIR / "celery.pid"),
            ],
        )
        if not wait_healthy(port, children):
            say(f"warning: http://127.0.0.1:{port}/healthz did not answer within 60 s")
        print(banner(port, domain), flush=True)

        # Running: wait for a signal, or for a child to die (then stop the rest and fail).
        signals.raise_on_signal = False
        while not signals.received:
            exited = [name for name, child in children.items() if child.poll() is not None]
            if exited:
                say(f"{', '.join(exited)} exited unexpectedly; stopping everything")
                code = 1
                break
            time.sleep(0.5)
    except Stop as stop:
        say(f"{stop} received, stopping")
        code = 130 if str(stop) == "SIGINT" else 143
    except subprocess.CalledProcessError as exc:
        say(f"step failed ({' '.join(exc.cmd[1:])}), exit code {exc.returncode}")
        code = exc.returncode or 1
    except RuntimeError as exc:
        say(str(exc))
        code = 1
    finally:
        signals.raise_on_signal = False
        if signals.received and not code:
            say("stopping")
            code = 0
        stop_children(children, signals)
        if stack is not None:
            stack.stop()
    say("stopped")
    return code


if __name__ == "__main__":
    sys.exit(main())
