"""Edit-to-searchable latency of the daemon, with kernel events and with polling.

    python bench/daemon_bench.py --quick     # about 1k documents, 40 edits per mode
    python bench/daemon_bench.py             # about 10k documents, 100 edits per mode

A writer saves files with several editors' patterns into a running daemon's
archive; each latency runs from the save until a search finds the new word.
Also prints the start-up reconcile of unchanged files and the daemon's memory.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

from archive_tool.archive import Archive  # noqa: E402
from archive_tool.index.query import Visibility, search  # noqa: E402
from archive_tool.index.store import SearchIndex  # noqa: E402
from archive_tool.syncing import update_index

CLI = [sys.executable, "-m", "archive_tool"]


def save(path: Path, text: str, pattern: str) -> None:
    """Write text to path the way an editor or a script does."""
    if pattern == "in place":
        path.write_text(text)
    elif pattern == "temp + rename":
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text)
        tmp.replace(path)
    elif pattern == "vim":
        backup = path.with_name(path.name + "~")
        path.replace(backup)
        path.write_text(text)
        backup.unlink()
    elif pattern == "libreoffice":
        lock = path.with_name(f".~lock.{path.name}#")
        lock.write_text("usuario")
        tmp = path.with_name("lu1234.tmp")
        tmp.write_text(text)
        tmp.replace(path)
        lock.unlink()


def rss_mb(pid: int) -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def found(index: SearchIndex, word: str) -> bool:
    try:
        return search(index, word, visibility=Visibility(all_confidential=True)).total > 0
    except (OSError, ValueError):
        return False


def measure(root: Path, edits: int, poll: float | None) -> dict:
    status = root / ".archive/daemon.json"
    status.unlink(missing_ok=True)
    args = [*CLI, "-A", str(root), "daemon", "--quiet-period", "0.2"]
    if poll:
        args += ["--poll", str(poll)]
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not status.is_file():
        time.sleep(0.01)
    startup = time.perf_counter() - start
    rss_start = rss_mb(proc.pid)
    index = SearchIndex(root / ".archive/index")
    files = sorted(root.glob("clients/*/correspondence/*.txt"))
    rng = random.Random(9)
    patterns = ["in place", "temp + rename", "vim", "libreoffice"]
    latencies = []
    try:
        for i in range(edits):
            path = rng.choice(files)
            word = f"zqx{i}w{int(poll or 0)}"
            text = path.read_text() + f"\n{word}\n"
            t0 = time.perf_counter()
            save(path, text, patterns[i % len(patterns)])
            while not found(index, word):
                if time.perf_counter() - t0 > 60:
                    raise RuntimeError(f"{word} not searchable after 60 s")
                time.sleep(0.01)
            latencies.append(time.perf_counter() - t0)
        rss_end = rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    latencies.sort()
    return {"startup": startup, "rss": rss_end[0], "peak": rss_end[1],
            "rss_start": rss_start[0], "p50": latencies[len(latencies) // 2],
            "p95": latencies[int(len(latencies) * 0.95) - 1], "max": latencies[-1],
            "n": len(latencies)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--clients", type=int)
    ap.add_argument("--edits", type=int)
    ap.add_argument("--poll", type=float, default=1.0, help="polling interval to measure")
    args = ap.parse_args()
    clients = args.clients or (24 if args.quick else 240)
    edits = args.edits or (40 if args.quick else 100)
    work = Path(tempfile.mkdtemp(prefix="archive-daemon-bench-"))
    root = work / "archive"
    out = sys.stdout.write
    try:
        files = generate(root, clients)
        report = update_index(Archive(root))
        out(f"archive: {clients} clients, {files} files, indexed in {report.seconds:.1f} s\n\n")
        out(f"{'watcher':22} {'edits':>5} {'p50':>8} {'p95':>8} {'max':>8}"
            f" {'start-up':>9} {'RSS':>8} {'peak RSS':>9}\n")
        for label, poll in (("inotify", None), (f"polling every {args.poll:g} s", args.poll)):
            r = measure(root, edits, poll)
            out(f"{label:22} {r['n']:5d} {r['p50'] * 1000:6.0f}ms {r['p95'] * 1000:6.0f}ms"
                f" {r['max'] * 1000:6.0f}ms {r['startup']:8.2f}s {r['rss']:6.0f}MB"
                f" {r['peak']:7.0f}MB\n")
        out("\nstart-up: from launch until the start-up reconcile of unchanged files is done\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main()
