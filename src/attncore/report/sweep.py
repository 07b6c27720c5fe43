"""Running the accuracy sweep of ``attncore report``: in this process, or
one task per case (kernel, input family, size) on a ``dask.distributed``
cluster.

Each case draws its inputs from its own child of the seed's
``SeedSequence``, so where it runs changes nothing in its rows.
"""
import numpy as np


CONNECT_TIMEOUT = "10s"
"""How long ``--scheduler`` waits for the scheduler before giving up."""


class ClusterError(Exception):
    """The cluster could not be reached or started (a usage error for the CLI)."""


def _run_case(case, seed):
    return case.run(np.random.default_rng(seed))


def _client(scheduler, workers):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClusterError("--scheduler/--workers need dask.distributed: "
                           "pip install 'attncore[distributed]'") from None
    if scheduler is not None:
        try:
            return Client(scheduler, timeout=CONNECT_TIMEOUT), None
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
    if workers < 1:
        raise ClusterError(f"--workers must be at least 1, got {workers}")
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return Client(cluster), cluster


def run(cases, seed, *, scheduler=None, workers=None, progress=None):
    """Rows of every case, in the order of ``cases``.

    Parameters
    ----------
    cases : list of attncore.report.accuracy.Case
    seed : int
        Root of the per-case seeds.
    scheduler : str, optional
        Address of a running ``dask.distributed`` scheduler.
    workers : int, optional
        Start a local cluster with this many worker processes instead.
    progress : tqdm-like, optional
        ``update(1)`` after each finished case.
    """
    seeds = np.random.SeedSequence(seed).spawn(len(cases))
    if scheduler is None and workers is None:
        rows = []
        for case, child in zip(cases, seeds):
            rows += _run_case(case, child)
            if progress is not None:
                progress.update(1)
        return rows
    from distributed import as_completed

    client, cluster = _client(scheduler, workers)
    try:
        futures = [client.submit(_run_case, case, child, pure=False)
                   for case, child in zip(cases, seeds)]
        for _ in as_completed(futures):
            if progress is not None:
                progress.update(1)
        # gather re-raises the first failed case's exception: no partial sweep
        per_case = client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return [r for rows in per_case for r in rows]
