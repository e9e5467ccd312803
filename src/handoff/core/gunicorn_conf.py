"""The gunicorn settings ``handoff serve`` starts with (``--config python:…``); the rest of its
settings are on its command line."""

from prometheus_client import multiprocess


def child_exit(server, worker):
    """A gunicorn worker that exits (restarted, or killed) stops counting in ``/metrics``: its
    live gauges are dropped, as prometheus_client's multiprocess mode asks of every server."""
    multiprocess.mark_process_dead(worker.pid)
