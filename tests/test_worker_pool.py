"""How `repro reproduce` hands notebooks to its workers: each worker says when its kernel is ready, and
the jobs (longest first) go to workers in the order they become free. Stand-in workers, driven by
threads, answer on real pipes, so the parent's reading of the pipes is what is tested."""

import json
import os
import threading
import time

import pytest

from repro.pipeline.reproduce import ReproduceError, _Worker, _WorkerPool


class StandInWorker:
    """Answers like a worker process: a ready line after ``ready_after`` seconds, then each job's
    answer after the seconds ``durations`` gives it. ``dies`` closes the pipe instead of saying ready."""

    has_line = _Worker.has_line
    read_line = _Worker.read_line

    def __init__(self, name, ready_after, durations=None, dies=False, log=None):
        self.name, self.durations, self.log = name, durations or {}, log
        self.answers, self._write_end = os.pipe()
        self._unread = b""
        self.job = None
        self.received = []
        threading.Thread(target=self._start, args=(ready_after, dies), daemon=True).start()

    def _start(self, ready_after, dies):
        time.sleep(ready_after)
        if dies:
            os.close(self._write_end)
        else:
            os.write(self._write_end, b'{"ready": true}\n')

    def send(self, job):
        self.job = job
        self.received.append(job["name"])

        def answer():
            time.sleep(self.durations.get(job["name"], 0.01))
            line = json.dumps({"name": job["name"], "seconds": 0.0, "error": None}) + "\n"
            os.write(self._write_end, line.encode())

        threading.Thread(target=answer, daemon=True).start()


def pool_of(*workers):
    pool = _WorkerPool.__new__(_WorkerPool)  # the dispatch alone: no processes, no kernels
    pool.workers = list(workers)
    return pool


JOBS = [{"name": n} for n in ("longest", "middle", "short")]


def test_the_longest_job_goes_to_the_worker_ready_first():
    slow_start = StandInWorker("slow start", ready_after=0.3)
    fast_start = StandInWorker("fast start", ready_after=0.0, durations={"longest": 0.6})
    runs = pool_of(slow_start, fast_start).run(JOBS, progress=lambda line: None)
    assert fast_start.received[0] == "longest"
    # "middle" and "short" go to the other worker as soon as it is ready, while "longest" still runs
    assert slow_start.received == ["middle", "short"]
    assert sorted(run.name for run in runs) == ["longest", "middle", "short"]


def test_a_worker_that_dies_before_it_is_ready_leaves_the_jobs_to_the_others():
    dead = StandInWorker("dead", ready_after=0.0, dies=True)
    alive = StandInWorker("alive", ready_after=0.1)
    runs = pool_of(dead, alive).run(JOBS, progress=lambda line: None)
    assert alive.received == ["longest", "middle", "short"] and dead.received == []
    assert len(runs) == 3


def test_when_every_worker_dies_before_it_is_ready_the_run_fails_with_the_log(tmp_path):
    log = tmp_path / "worker-0.log"
    log.write_text("Traceback ...\nOSError: no kernel could start\n", encoding="utf-8")
    workers = [StandInWorker(f"dead {k}", ready_after=0.0, dies=True, log=log) for k in range(2)]
    with pytest.raises(ReproduceError, match="every worker process stopped before the notebooks were run") as caught:
        pool_of(*workers).run(JOBS, progress=lambda line: None)
    assert "OSError: no kernel could start" in str(caught.value)


def test_two_answers_read_in_one_go_are_both_seen():
    # A worker's first answers (its notebooks' parameters, then "ready") can arrive in one read; the
    # second must not sit in a buffer that `select` cannot see.
    worker = StandInWorker("w", ready_after=3600)  # never says ready by itself
    os.write(worker._write_end, b'{"declared": {}}\n{"ready": true}\n')
    assert worker.read_line() == '{"declared": {}}\n'
    assert worker.has_line()
    assert worker.read_line() == '{"ready": true}\n'
    assert not worker.has_line()
    os.close(worker._write_end)
    assert worker.read_line() == ""  # the worker has exited


def test_a_cells_output_is_one_stream_however_the_kernel_flushed_it(tmp_path):
    # The kernel sends what a cell prints on a timer (every 0.2 s): two prints half a second apart
    # arrive as two messages. The written notebook holds one stream, as it would from a fast run, so
    # two reproductions give the same bytes whatever the machine's load.
    import nbformat

    from repro.pipeline.notebook_worker import SharedKernel, run_job

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import time\nprint('first')\ntime.sleep(0.5)\nprint('second')")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, tmp_path / "two_prints.ipynb")
    kernel = SharedKernel(str(tmp_path)).prepare()
    try:
        answer = run_job({"name": "two_prints", "notebook": str(tmp_path / "two_prints.ipynb"), "parameters": {},
                          "cwd": str(tmp_path), "output": str(tmp_path / "out.ipynb"), "shown_parameters": {},
                          "replacements": []}, kernel)
    finally:
        kernel.shutdown()
    assert answer["error"] is None
    outputs = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[0].outputs
    assert [(o.output_type, o.name, o.text) for o in outputs] == [("stream", "stdout", "first\nsecond\n")]
