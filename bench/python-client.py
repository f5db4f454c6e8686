#!/usr/bin/env python3
"""Bench: the Python client and the bulk export on a full-scale data root, over loopback.

    npm run build && /usr/bin/python3 bench/python-client.py [--data-root bench/data/full] [--runs 5] [--fresh-runs 3] [--cache-dir DIR] [--skip-export]

1. The first session on a freshly started server: REFER(url, 'refcoco', 'unc') plus
   first access to Refs, Anns, Imgs, in a new server --fresh-runs times; median, with
   client and server CPU seconds.
2. The same session again on one server whose body is kept: median of --runs, each a
   fresh Python process (wall time, CPU, the client's peak RSS).
3. GET /export/refcoco/unc.jsonl?split=train (and with include=masks): wall time, bytes,
   lines, and the server's RSS before, at its peak while streaming (sampled every
   20 ms), and after; median of --runs.
The server is dist/src/cli.js serve --cache-dir DIR (default: a temporary folder),
after dist/src/cli.js build-index has written the compiled indexes and the data.jsonl
body file there (seconds when they are current, ~45 s for refcoco/unc otherwise). The
fresh-server sessions run with that body file and, again, without it (the server then
produces the body: the path of a cache that build-index did not fill). The data root
is never written. Load averages are printed
before and after: on a shared machine compare CPU seconds, not wall times.
"""
import argparse
import glob
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CLIENT_RUN = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
t0 = time.perf_counter()
from refer_graphql import REFER
refer = REFER(sys.argv[1], 'refcoco', 'unc')
sizes = [len(refer.Refs), len(refer.Anns), len(refer.Imgs)]
wall = time.perf_counter() - t0
print(json.dumps({'wall_s': wall, 'cpu_s': time.process_time(), 'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'sizes': sizes}))
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid):
    """User + system CPU seconds of a process so far (load-independent, unlike wall time)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(data_root, cache_dir, port):
    server = subprocess.Popen(
        ["node", os.path.join(ROOT, "dist/src/cli.js"), "serve", "--data-root", data_root, "--datasets", "refcoco/unc", "--cache-dir", cache_dir, "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = "http://127.0.0.1:%d" % port
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/ready", timeout=5) as r:
                if r.status == 200:
                    return server, url
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not become ready: %s" % server.stderr.read().decode())


def export(url, pid, path):
    samples = []
    done = threading.Event()

    def sample():
        while not done.is_set():
            samples.append(rss_mb(pid))
            time.sleep(0.02)

    before = rss_mb(pid)
    cpu_before = cpu_s(pid)
    sampler = threading.Thread(target=sample)
    sampler.start()
    t0 = time.perf_counter()
    size = lines = 0
    with urllib.request.urlopen(url + path, timeout=600) as r:
        while True:
            chunk = r.read(1 << 16)
            if not chunk:
                break
            size += len(chunk)
            lines += chunk.count(b"\n")
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    time.sleep(0.5)
    return {"wall_s": wall, "server_cpu_s": cpu_s(pid) - cpu_before, "mb": size / 1e6, "lines": lines, "rss_before_mb": before, "rss_peak_mb": max(samples + [before]), "rss_after_mb": rss_mb(pid)}


def client_session(url, server_pid):
    cpu_before = cpu_s(server_pid)
    out = subprocess.run([sys.executable, "-c", CLIENT_RUN, url, os.path.join(ROOT, "clients/python")], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout), server_cpu_s=cpu_s(server_pid) - cpu_before)


def summary(runs):
    return "median wall %.2f s, client cpu %.2f s, server cpu %.2f s, client peak RSS %.0f MB (walls %s)" % (
        median_of(runs, "wall_s"), median_of(runs, "cpu_s"), median_of(runs, "server_cpu_s"), median_of(runs, "rss_mb"), ", ".join("%.2f" % r["wall_s"] for r in runs))


def stop(server):
    server.terminate()
    server.wait()


def median_of(runs, key):
    return statistics.median(r[key] for r in runs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-root", default="bench/data/full")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fresh-runs", type=int, default=3)
    parser.add_argument("--cache-dir", help="cache folder for build-index and the server (default: a temporary folder, removed after)")
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args()
    cache = args.cache_dir or tempfile.mkdtemp(prefix="refer-bench-cache-")
    print("load average before: %s" % (os.getloadavg(),))
    try:
        # Compiled indexes and the data.jsonl body file beside them, as `build-index` leaves them.
        subprocess.run(["node", os.path.join(ROOT, "dist/src/cli.js"), "build-index", "--data-root", args.data_root, "--datasets", "refcoco/unc", "--cache-dir", cache], check=True, stdout=subprocess.DEVNULL)
        bodies = glob.glob(os.path.join(cache, "**", "refcoco_unc.data-omit.*.jsonl"), recursive=True)
        saved = {path: open(path, "rb").read() for path in bodies}
        for with_file in (True, False):
            fresh = []
            for _ in range(args.fresh_runs):
                # A server that produces the body writes its file: take it away again for the next run.
                for path in glob.glob(os.path.join(cache, "**", "refcoco_unc.data-omit.*.jsonl"), recursive=True):
                    os.unlink(path)
                if with_file:
                    for path, body in saved.items():
                        with open(path, "wb") as f:
                            f.write(body)
                server, url = start_server(args.data_root, cache, free_port())
                try:
                    fresh.append(client_session(url, server.pid))
                    print("  first session on a fresh server", fresh[-1], "load", os.getloadavg())
                finally:
                    stop(server)
            if fresh:
                print("FIRST session on a fresh server, %s (%d servers): %s" % ("body file from build-index" if with_file else "no body file: the server produces the body", len(fresh), summary(fresh)))
        server, url = start_server(args.data_root, cache, free_port())
        try:
            print("server ready at %s; load average %s" % (url, os.getloadavg()))
            first = client_session(url, server.pid)
            print("  first session of this server (its body file is there)", first)
            client_runs = []
            for _ in range(args.runs):
                client_runs.append(client_session(url, server.pid))
                print("  client", client_runs[-1])
            print("REFER + Refs/Anns/Imgs, body kept: %s (sizes %s)" % (summary(client_runs), client_runs[0]["sizes"]))
            for path in () if args.skip_export else ("/export/refcoco/unc.jsonl?split=train", "/export/refcoco/unc.jsonl?split=train&include=masks"):
                runs = []
                for _ in range(args.runs):
                    runs.append(export(url, server.pid, path))
                    print("  export", path, runs[-1])
                print("%s: median %.2f s (server cpu %.2f s), %.0f MB, %d lines; server RSS before %.0f MB, peak %.0f MB, after %.0f MB" % (
                    path, median_of(runs, "wall_s"), median_of(runs, "server_cpu_s"), runs[0]["mb"], runs[0]["lines"], median_of(runs, "rss_before_mb"), median_of(runs, "rss_peak_mb"), median_of(runs, "rss_after_mb")))
        finally:
            stop(server)
        print("load average after: %s" % (os.getloadavg(),))
    finally:
        if not args.cache_dir:
            shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
