"""The evidence feature's one background task: proxies and thumbnails of stored media.

The kernel's queue runs any :class:`~liuhen.kernel.jobs.Task`; these names bind it to
``derivatives`` so callers need not say which task they mean.
"""

from __future__ import annotations

from liuhen.evidence import derivatives
from liuhen.kernel import jobs
from liuhen.kernel.instance import App

DERIVATIVES = jobs.Task(
    name="liuhen.derivatives", queue="media", pending=derivatives.pending, run=derivatives.make
)


class InProcessQueue(jobs.InProcessQueue):
    def __init__(self, app: App, rescan: float = jobs.RESCAN_SECONDS) -> None:
        super().__init__(app, DERIVATIVES, rescan)


class ProcrastinateQueue(jobs.ProcrastinateQueue):
    def __init__(self, app: App) -> None:
        super().__init__(app, DERIVATIVES)


def open_queue(app: App) -> jobs.JobQueue:
    return jobs.open_queue(app, DERIVATIVES)


def run_worker(app: App) -> None:
    jobs.run_worker(app, DERIVATIVES)
