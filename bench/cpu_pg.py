"""Run the peer's ws_load.py with its CPU window also counting one database's PostgreSQL backends.

    python bench/cpu_pg.py DBNAME path/to/ws_load.py [ws_load args...]

The PostgreSQL server is shared (other databases, other users), so its whole process tree would count
their work too. This wraps the load client's `cpu.snap`/`cpu.diff` (same folder as ws_load.py): at each
end of the send window it also reads the pids of DBNAME's backends from pg_stat_activity and their CPU
from /proc; a backend started inside the window counts from zero. (A backend that exits inside the
window loses its last part; the pools on both sides keep theirs for the whole run.)
"""

import json
import os
import sys

import psycopg

DBNAME, LOAD = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.dirname(os.path.abspath(LOAD)))
import cpu  # noqa: E402  (the load client's own module)

_snap, _diff = cpu.snap, cpu.diff
_conn = psycopg.connect(os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", autocommit=True)


def _backends() -> dict[int, float]:
    pids = [r[0] for r in _conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [DBNAME])]
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                f = fh.read().rsplit(")", 1)[1].split()
            out[pid] = (int(f[11]) + int(f[12])) / cpu.TICK
        except OSError:
            continue
    return out


def snap(specs):
    result = _snap(specs)
    result["pg"] = _backends()
    return result


def diff(a, b):
    result = _diff(a, b)
    seconds = sum(v - a["pg"].get(pid, 0.0) for pid, v in b["pg"].items())
    result["cpu_pct"]["postgres"] = round(100 * seconds / (b["t"] - a["t"]), 1)
    result["postgres_backends"] = len(b["pg"])
    return result


cpu.snap, cpu.diff = snap, diff

# The load client ignores a sender's own echo; the app's echo is its acknowledgement (sent after
# COMMIT), so record those client_ids for the exactly-once check (ACKED_OUT names the file).
with open(LOAD) as fh:
    source = fh.read()
head, cli = source.split('\nif __name__ == "__main__":\n', 1)
ns = {"__name__": "ws_load", "__file__": LOAD}
exec(compile(head, LOAD, "exec"), ns)
acked = []
_sent_time = ns["Client"].sent_time


async def sent_time(self, frame):
    if self.proto == "hellopet" and '"message"' in frame[:24]:
        client_id = json.loads(frame).get("client_id")
        if client_id in self.own:
            acked.append(client_id)
    return await _sent_time(self, frame)


ns["Client"].sent_time = sent_time
sys.argv = [LOAD, *sys.argv[3:]]
exec(compile("if True:\n" + cli, LOAD, "exec"), ns)
if os.environ.get("ACKED_OUT"):
    with open(os.environ["ACKED_OUT"], "w") as fh:
        json.dump(acked, fh)
