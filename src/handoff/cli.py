"""The ``handoff`` command: run, serve and administer Handoff.

Each subcommand has ``--help``. ``migrate`` and ``manage`` hand their arguments to Django.
"""

import argparse
import contextlib
import getpass
import os
import shutil
import signal
import subprocess
import sys
import threading
from urllib.parse import urlsplit

from handoff.settings_env import PRODUCTION_REQUIRES, unset

DESCRIPTION = "Handoff: outsourcing management for small businesses."

PASSTHROUGH = {
    "migrate": "Create or update the database tables (Django's migrate; --help lists options).",
    "manage": "Run any Django management command, e.g. 'handoff manage shell'.",
    "backup": "Write organizations to one archive ('handoff backup --help').",
    "restore": "Restore organizations from a backup archive ('handoff restore --help').",
}


def _django(production: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handoff.settings")
    if production:
        os.environ["HANDOFF_PRODUCTION"] = "1"
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:
        sys.exit(f"handoff: {error}")


def cmd_demo(args) -> int:
    """Migrate, load the demo organization, print a login, serve on 127.0.0.1:8000 (or
    --addrport) with a worker beside the server. Links in e-mails point at the address served
    unless HANDOFF_SITE_URL says otherwise. Ctrl+C or SIGTERM stops both."""
    host, port = _demo_address(args.addrport)
    # Settings make the served address the default site URL and an allowed host; the worker
    # started below inherits it.
    os.environ["HANDOFF_DEMO_ADDRESS"] = f"{host}:{port}"
    _django()
    from django.conf import settings
    from django.core.management import call_command

    from handoff import demo
    from handoff.core.links import absolute_url, site_url
    from handoff.work.demo import PORTAL_EMAIL, PORTAL_PASSWORD

    database = settings.DATABASES["default"]["NAME"]
    print(f"Database: {database}")
    call_command("migrate", interactive=False, verbosity=0)
    created = demo.load()
    print("Demo organization " + ("loaded." if created else "already there; nothing duplicated."))
    print(
        f"\n  Handoff is at  http://{host}:{port}/"
        f"\n  Links in e-mails point at {absolute_url('/')}"
        f"\n  Log in with    {demo.LOGIN_EMAIL} / {demo.LOGIN_PASSWORD}"
        f"\n  Provider portal: {PORTAL_EMAIL} / {PORTAL_PASSWORD} (the bookkeeping firm)\n",
        flush=True,
    )
    # Links that point at "every address" (no HANDOFF_SITE_URL given) reach no one.
    everywhere = {"0.0.0.0", "::"}  # noqa: S104
    if host.strip("[]") in everywhere and urlsplit(site_url()).hostname in everywhere:
        print(
            "  Serving on every address: set HANDOFF_SITE_URL (and HANDOFF_ALLOWED_HOSTS) to\n"
            "  the address others reach this machine at, so that links in e-mails work.\n",
            flush=True,
        )
    if args.no_serve:
        return 0
    # The worker sends the e-mails, webhook posts and reminders; it stops with the server. It
    # runs in its own session, so Ctrl+C at the terminal reaches only this process, which then
    # stops the worker and anything it started; SIGTERM takes the same way out as Ctrl+C.
    previous = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    signal.signal(signal.SIGTERM, _interrupt)
    worker = Supervised([sys.executable, "-m", "handoff.cli", "worker"], name="worker")
    try:
        worker.start()
        call_command("runserver", f"{host}:{port}", use_reloader=False, skip_checks=True)
    finally:
        # A second Ctrl+C or SIGTERM must not cut the cleanup short and orphan the worker.
        for number in previous:
            signal.signal(number, signal.SIG_IGN)
        worker.stop()
        for number, handler in previous.items():
            signal.signal(number, handler)
    return 0


class Supervised:
    """A child process kept running beside the demo's server: when it exits on its own (a
    crash, a fault it could not ride out) it is started again after ``pause`` seconds, until
    :meth:`stop`."""

    def __init__(self, command: list[str], *, name: str, pause: float = 2.0):
        self.command, self.name, self.pause = command, name, pause
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name=f"{name}-watch", daemon=True)

    def _spawn(self) -> None:
        self.process = subprocess.Popen(self.command, start_new_session=True)  # noqa: S603

    def start(self) -> None:
        with self._lock:
            self._spawn()
        self._watcher.start()

    def _watch(self) -> None:
        while True:
            code = self.process.wait()
            if self._stopping.wait(self.pause):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                _kill_group(self.process.pid)
                print(
                    f"handoff: the {self.name} stopped (exit code {code}); started it again.",
                    file=sys.stderr,
                    flush=True,
                )
                self._spawn()
                self.restarts += 1

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is not None:
            _stop(process)
        if self._watcher.is_alive():
            self._watcher.join(timeout=15)


def _demo_address(addrport: str) -> tuple[str, str]:
    """``host:port``, ``port`` or ``[v6]:port`` as (host, port); the host defaults to
    127.0.0.1."""
    host, _, port = addrport.rpartition(":")
    if not port.isdigit():
        sys.exit(f"handoff: --addrport {addrport!r} needs a port number, e.g. 127.0.0.1:8000.")
    return host or "127.0.0.1", port


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _stop(process: subprocess.Popen) -> None:
    """Stop the worker (it finishes the job in hand), then anything left in its process
    group."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    _kill_group(process.pid)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def cmd_worker(args) -> int:
    """Run background jobs (e-mail, webhooks, reports) from the database queue, and enqueue
    the periodic sweeps (reminders, retries, the daily digest) on a fixed interval. Run one or
    more beside the web server; stop with Ctrl+C or SIGTERM (the job in hand finishes)."""
    _django()
    from django.conf import settings

    from handoff.notifications import worker

    backend = settings.TASKS["default"]["BACKEND"]
    if not backend.endswith("DatabaseBackend"):
        print(f"handoff: the worker needs the database queue, not {backend}.", file=sys.stderr)
        return 2
    worker.run(
        interval=args.interval,
        sweep_interval=args.sweep_interval,
        batch=args.batch,
        queue_names=tuple(args.queue.split(",")),
    )
    return 0


def _collect_static(settings, call_command) -> bool:
    """Collect and compress the static files unless they are what the last start collected.

    collectstatic re-reads and re-compresses every file (Ninja's API-docs bundles included)
    each time, which took 20 s and more of each start; a restart with nothing changed now
    compares a fingerprint of the sources — each file's name, size and modification time, and
    the storage that serves them — with the one kept beside the collected files."""
    import hashlib

    from django.apps import apps
    from django.contrib.staticfiles.finders import get_finders

    ignore = apps.get_app_config("staticfiles").ignore_patterns
    entries = []
    for finder in get_finders():
        for path, storage in finder.list(ignore):
            found = os.stat(storage.path(path))
            entries.append(f"{path}\0{found.st_size}\0{found.st_mtime_ns}")
    fingerprint = hashlib.sha256(
        "\n".join([settings.STORAGES["staticfiles"]["BACKEND"], *sorted(entries)]).encode()
    ).hexdigest()
    stamp = settings.STATIC_ROOT / ".handoff-collected"
    manifest = settings.STATIC_ROOT / "staticfiles.json"
    if stamp.exists() and manifest.exists() and stamp.read_text() == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint)
    return True


def cmd_serve(args) -> int:
    """Production: gunicorn with settings only from the environment."""
    _django(production=True)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    bind = args.bind or settings.SERVE_BIND
    workers = settings.SERVE_WORKERS if args.workers is None else args.workers
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        sys.exit("handoff: the database needs migrating first: run 'handoff migrate'.")
    _collect_static(settings, call_command)
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "handoff.wsgi:application",
        "--config",
        "python:handoff.core.gunicorn_conf",
        "--bind",
        bind,
        "--workers",
        str(workers),
    ]
    if settings.LOG_FORMAT == "text":  # in JSON, Handoff writes the access lines itself
        gunicorn += ["--access-logfile", "-"]
    # The workers add up their Prometheus counts in files here, so /metrics answers for all
    # of them whichever one is asked; emptied at each start, as prometheus_client asks.
    metrics_dir = settings.VAR_DIR / "prometheus"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    print(f"Serving Handoff on {bind} with {workers} workers.", flush=True)
    os.execv(sys.executable, gunicorn)  # noqa: S606 - replaces this process with gunicorn
    return 0


def cmd_createuser(args) -> int:
    """Create an account, and optionally a new organization it owns."""
    _django()
    from django.conf import settings
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.utils.text import slugify

    from handoff.accounts import services

    password = args.password or settings.NEW_USER_PASSWORD
    if not password:
        if not sys.stdin.isatty():
            print(
                "handoff: give --password (or HANDOFF_NEW_USER_PASSWORD) when not at a terminal.",
                file=sys.stderr,
            )
            return 2
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password again: "):
            print("handoff: the passwords differ; nothing was created.", file=sys.stderr)
            return 2
    try:
        with transaction.atomic():
            user = services.create_user(email=args.email, name=args.name, password=password)
            org = None
            if args.organization:
                org = services.create_organization(
                    user=user,
                    name=args.organization,
                    slug=args.slug or slugify(args.organization)[:60],
                    time_zone=args.time_zone,
                    currency=args.currency,
                    states=args.states or [],
                )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                print(f"handoff: {field}: {message}", file=sys.stderr)
        print("handoff: nothing was created.", file=sys.stderr)
        return 2
    print(f"Created {user.email}" + (f", owner of {org.name} (/o/{org.slug}/)." if org else "."))
    return 0


def cmd_check(args) -> int:
    """What production still lacks, then Django's deployment checks."""
    # Production's settings refuse to load without these, so ask before choosing which to load.
    missing = unset(PRODUCTION_REQUIRES)
    _django(production=not missing)
    from django.conf import settings
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    from handoff.core.links import site_url

    problems = [
        f"{name} is not set; 'handoff serve' refuses to start without it." for name in missing
    ]
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(
            "HANDOFF_DATABASE_URL is not set: data is in SQLite under var/. "
            "Use PostgreSQL in production."
        )
    if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        problems.append("HANDOFF_EMAIL_HOST is not set: e-mail is printed, not sent.")
    if "HANDOFF_SITE_URL" in missing:
        problems[missing.index("HANDOFF_SITE_URL")] += (
            f" Links in e-mails would point at {site_url()}."
        )
    elif not site_url().startswith("https://") and getattr(settings, "HTTPS", True):
        problems.append(
            f"HANDOFF_SITE_URL is {site_url()}: links in e-mails would not use HTTPS "
            "(set HANDOFF_HTTPS=false only for a closed network without TLS)."
        )
    # Outside production the keys are generated under var/, so settings cannot tell.
    for name in unset(("TIN_KEYS", "TIN_HASH_KEY")):
        problems.append(
            f"{name} is not set: W-9 TINs cannot be stored or read in production "
            "(docs/compliance.md, 'TIN keys')."
        )
    if unset(("SIGNING_KEY_PASSPHRASE",)):
        problems.append(
            "HANDOFF_SIGNING_KEY_PASSPHRASE is not set: the key that seals signed documents is "
            "encrypted under the secret key, and changing that would lock it (docs/onboarding.md)."
        )
    from handoff.core import health

    for name, result in (
        ("database", health.check_database()),
        ("storage", health.check_storage()),
    ):
        if not result["ok"]:
            problems.append(f"The {name} does not answer: {result['reason']}")
    for problem in problems:
        print(f"- {problem}")
    try:
        call_command("check", deploy=True, fail_level="WARNING")
    except SystemCheckError as error:
        print(error)
        problems.append("Django's deployment checks reported problems (above).")
    if problems:
        print(f"\n{len(problems)} thing(s) to fix before production.")
        return 1
    print("Ready for production.")
    return 0


def _positive_seconds(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number of seconds.") from None
    if not 0 < value < 86400:
        raise argparse.ArgumentTypeError("Give a number of seconds above 0 and below a day.")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="handoff", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", metavar="command")

    demo = sub.add_parser(
        "demo",
        help="Run Handoff with demo data on SQLite (first command).",
        description=cmd_demo.__doc__,
    )
    demo.add_argument("--addrport", default="127.0.0.1:8000", help="Address and port to serve on.")
    demo.add_argument("--no-serve", action="store_true", help="Load the data, then stop.")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser(
        "serve",
        help="Serve in production with gunicorn.",
        description=cmd_serve.__doc__
        + (" Needs HANDOFF_SECRET_KEY, HANDOFF_ALLOWED_HOSTS and HANDOFF_SITE_URL."),
    )
    serve.add_argument(
        "--bind",
        default=None,
        help="host:port to listen on (default 0.0.0.0:8000 or HANDOFF_BIND).",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn worker processes (default 2 or HANDOFF_WORKERS).",
    )
    serve.set_defaults(func=cmd_serve)

    for name, text in PASSTHROUGH.items():
        sub.add_parser(name, help=text, add_help=False)

    worker = sub.add_parser(
        "worker",
        help="Run background jobs and periodic sweeps (e-mail, webhooks, reminders).",
        description=cmd_worker.__doc__,
    )
    worker.add_argument(
        "--interval",
        type=_positive_seconds,
        default=1.0,
        help="Seconds between looks at an empty queue (default 1).",
    )
    worker.add_argument(
        "--sweep-interval",
        type=_positive_seconds,
        default=60.0,
        help="Seconds between checks for due sweeps (default 60).",
    )
    worker.add_argument(
        "--batch",
        action="store_true",
        help="Enqueue the due sweeps, run every job waiting, then stop (for cron).",
    )
    worker.add_argument(
        "--queue", default="default", help="Queues to run, comma-separated (default 'default')."
    )
    worker.set_defaults(func=cmd_worker)

    createuser = sub.add_parser(
        "createuser",
        help="Create a user, optionally owning a new organization.",
        description=cmd_createuser.__doc__,
    )
    createuser.add_argument("--email", required=True)
    createuser.add_argument("--name", required=True, help="Full name.")
    createuser.add_argument("--password", help="Prompted for when omitted at a terminal.")
    createuser.add_argument("--organization", help="Create this organization, owned by the user.")
    createuser.add_argument("--slug", help="The organization's address (default: from its name).")
    createuser.add_argument("--time-zone", default="America/New_York")
    createuser.add_argument("--currency", default="USD")
    createuser.add_argument("--states", nargs="*", help="Two-letter US state codes.")
    createuser.set_defaults(func=cmd_createuser)

    check = sub.add_parser(
        "check", help="List what production still lacks.", description=cmd_check.__doc__
    )
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in PASSTHROUGH:
        _django()
        from django.core.management import execute_from_command_line

        rest = argv[1:] if argv[0] == "manage" else argv
        execute_from_command_line(["handoff", *rest])
        return 0
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
