"""Publishing on a distributed task queue (Celery, Redis as the broker).

With ``[queue] broker`` set, the scheduler, ``push`` and the editors' fast lane
decide *when* and *which* feeds run, as always, but instead of publishing in
their own process they enqueue one job per feed (:mod:`.enqueue`);
``syndication worker`` processes on any number of machines take the jobs
(:mod:`.worker`) and publish each feed through the ordinary path
(:mod:`.jobs`), under the same per-feed lock, so one feed still has one writer.

Two queues: ``{name}.urgent`` (push, the fast lane, embargo releases) and
``{name}.bulk`` (scheduled publishes). A worker asks Redis for the urgent queue
first every time it takes a job, so a bulk backlog never delays an urgent job
by more than the jobs already running. Jobs are acknowledged only when done: a
worker that dies mid-job leaves its job to another worker after ``[queue]
visibility_timeout_seconds`` (at once when only a pool process dies), and the
re-run closes the interrupted run and completes the feed (see publish.py).

Nothing here imports Celery until a queue is used, so the single-process mode
(the default) never needs it installed.
"""
