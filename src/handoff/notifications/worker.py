"""``handoff worker``: runs the job queue and enqueues the periodic sweeps.

Two threads in one process:

* the main thread runs django-tasks-db's ``Worker`` loop: it claims the next ready job in the
  database queue (locked, so several workers share one queue), runs it, and polls again;
* a scheduler thread calls :func:`~handoff.notifications.jobs.run_due_sweeps` every
  ``sweep_interval`` seconds. That only *enqueues* the sweeps whose interval has passed (the
  claim in the ``SweepRun`` table lets one worker of many win), so a long job never delays the
  schedule and the sweeps themselves run through the same queue as every other job.

A thread rather than interleaving in the loop because the worker loop only comes round between
jobs: a slow job (a large report) would hold every reminder back.

SIGINT and SIGTERM stop the scheduler and let the worker finish the job in hand (a second
signal ends it at once, as django-tasks-db does); a job interrupted by a hard kill stays
claimed, and the e-mail and webhook sweeps hand back what it held.

A database that goes away (a restart, a failover, the network) does not end the worker: the
loop drops its connections, waits — 1 second, doubling up to 30 — and carries on once the
database answers again. Jobs enqueued meanwhile wait in the queue; none is lost.
"""

import logging
import threading
import time

from django.db import DatabaseError, close_old_connections, connection, connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from handoff.notifications.jobs import run_due_sweeps
from handoff.notifications.sweeps import registered

logger = logging.getLogger("handoff.worker")


class SweepScheduler(threading.Thread):
    """Enqueue the due sweeps now and every ``interval`` seconds until stopped."""

    def __init__(self, interval: float):
        super().__init__(name="handoff-sweeps", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                started = run_due_sweeps()
                if started:
                    logger.info("Enqueued sweeps: %s", ", ".join(started))
            except Exception:  # a locked database or a lost connection: try next time
                logger.exception("Could not enqueue the due sweeps")
            finally:
                connection.close()
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()


OUTAGE_FIRST_WAIT = 1.0
OUTAGE_LONGEST_WAIT = 30.0


def _drop_connections() -> None:
    """Forget every database connection, whatever state the outage left it in."""
    for alias in connections:
        try:
            connections[alias].close()
        except DatabaseError:
            connections[alias].connection = None


class HandoffWorker(Worker):
    """django-tasks-db's worker, stopping the sweep scheduler on the first signal and riding
    out a database outage."""

    scheduler: SweepScheduler | None = None

    def run(self) -> None:
        wait = OUTAGE_FIRST_WAIT
        while self.running:
            began = time.monotonic()
            try:
                return super().run()
            except DatabaseError as error:  # OperationalError, InterfaceError: the database
                if not self.running:
                    return None
                if time.monotonic() - began > 2 * OUTAGE_LONGEST_WAIT:
                    wait = OUTAGE_FIRST_WAIT  # it ran a good while: a new outage
                logger.warning(
                    "Worker %s: the database is unreachable (%s); trying again in %.0f s.",
                    self.worker_id,
                    str(error).strip().splitlines()[0] if str(error).strip() else type(error),
                    wait,
                )
                _drop_connections()
                time.sleep(wait)
                wait = min(wait * 2, OUTAGE_LONGEST_WAIT)
                self.startup_delay = False
        return None

    def shutdown(self, signum, frame) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        super().shutdown(signum, frame)


def run(
    *,
    interval: float = 1.0,
    sweep_interval: float = 60.0,
    batch: bool = False,
    queue_names: tuple[str, ...] = ("default",),
    worker_id: str = "",
) -> None:
    """Run until a signal (or, with ``batch``, until the queue is empty)."""
    worker = HandoffWorker(
        queue_names=list(queue_names),
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=worker_id or get_random_string(32),
        excluded_queue_names=[],
    )
    worker.configure_signals()
    names = ", ".join(item.name for item in registered()) or "none"
    if batch:
        started = run_due_sweeps()
        logger.info("Enqueued sweeps: %s", ", ".join(started) or "none due")
        close_old_connections()
    else:
        worker.scheduler = SweepScheduler(sweep_interval)
        worker.scheduler.start()
        logger.info(
            "Worker %s: polling every %ss; sweeps checked every %ss (%s).",
            worker.worker_id,
            interval,
            sweep_interval,
            names,
        )
    try:
        worker.run()
    finally:
        if worker.scheduler is not None:
            worker.scheduler.stop()
            worker.scheduler.join(timeout=5)
        worker.reset_signals()
