"""What apps above ``work`` do when a task changes, called explicitly by whoever changes it.

``work`` may not import the apps that react (``insights`` keeps the scorecards' monthly task
facts), and a model signal would hide the flow; so such an app registers a receiver from its
``AppConfig.ready()`` and every write to a task calls :func:`task_changed` after it. That is
the services of this module's app and the demo; a test or a script that saves or deletes a
task itself calls it too.
"""

from collections.abc import Callable
from datetime import datetime

# A task's engagement and due time before the change, when either may have moved.
Was = tuple[int, datetime]
Receiver = Callable[..., None]

_receivers: list[Receiver] = []


def on_task_changed(receiver: Receiver) -> Receiver:
    """Register ``receiver(task, was=None)``; registering it again changes nothing."""
    if receiver not in _receivers:
        _receivers.append(receiver)
    return receiver


def task_changed(task, *, was: Was | None = None) -> None:
    """Tell the receivers that ``task`` was saved (or deleted); ``was`` is its engagement and
    due time before, when they changed."""
    for receiver in _receivers:
        receiver(task, was=was)
