"""`make run`: the dev server and a task-queue consumer in one command; Ctrl-C stops both.

Each child runs in its own process group, so stopping one stops everything it started (runserver's
autoreloader runs the server in a grandchild). On Linux the children also get SIGTERM if this launcher
itself dies (PR_SET_PDEATHSIG): no orphan keeps the port or the queue.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

STOP_GRACE_SECONDS = 10


def _die_with_parent():  # runs in the child between fork and exec
    with contextlib.suppress(OSError):  # not Linux: the process-group stop below still applies
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Command(BaseCommand):
    help = "Run the development server and a Huey consumer together (Ctrl-C stops both)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2, help="consumer worker threads")

    def handle(self, *args, **options):
        manage = [sys.executable, "manage.py"]
        commands = {
            "web": [*manage, "runserver", options["addrport"]],
            "worker": [*manage, "run_huey", "--workers", str(options["workers"]), "--worker-type", "thread"],
        }
        children = {
            name: subprocess.Popen(command, start_new_session=True, preexec_fn=_die_with_parent)  # noqa: S603
            for name, command in commands.items()
        }
        self.stdout.write(
            "started " + ", ".join(f"{name} (pid {child.pid})" for name, child in children.items())
        )
        stopping = {"signal": None}

        def stop(signum, _frame):
            stopping["signal"] = signum

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        try:
            while stopping["signal"] is None:
                ended = [name for name, child in children.items() if child.poll() is not None]
                if ended:
                    self.stderr.write(f"{', '.join(ended)} exited; stopping the rest")
                    exit_code = 1
                    break
                time.sleep(0.3)
        finally:
            self._stop_all(children)
        if exit_code:
            raise SystemExit(exit_code)

    def _stop_all(self, children):
        for child in children.values():
            self._signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._signal_group(child, signal.SIGKILL)
                child.wait()
            # The group may still hold a grandchild (runserver's reloaded server): make sure it is gone.
            self._signal_group(child, signal.SIGKILL)
        self.stdout.write("stopped web server and worker")

    @staticmethod
    def _signal_group(child, signum):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signum)
