#!/usr/bin/env python3
"""Bench: the Python client and the bulk export on a full-scale data root, over loopback.

    npm run build && /usr/bin/python3 bench/python-client.py [--data-root bench/data/full] [--runs 5]

1. REFER(url, 'refcoco', 'unc') plus first access to Refs, Anns, Imgs, each run in a
   fresh Python process (wall time and the client's peak RSS), median of --runs.
2. GET /export/refcoco/unc.jsonl?split=train (and with include=masks): wall time, bytes,
   lines, and the server's RSS before, at its peak while streaming (sampled every
   20 ms), and after; median of --runs.
The server is dist/src/cli.js serve on a copy of the data root's compiled-index cache
(the data root is never written).
"""
import argparse
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


def median_of(runs, key):
    return statistics.median(r[key] for r in runs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-root", default="bench/data/full")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="refer-bench-cache-")
    for name in ("refcoco.instances.idx", "refcoco_unc.refs.idx"):
        src = os.path.join(args.data_root, ".refer-cache", name)
        if os.path.exists(src):
            shutil.copy(src, cache)
    server, url = start_server(args.data_root, cache, free_port())
    try:
        print("server ready at %s; load average %s" % (url, os.getloadavg()))
        client_runs = []
        for _ in range(args.runs):
            cpu_before = cpu_s(server.pid)
            out = subprocess.run([sys.executable, "-c", CLIENT_RUN, url, os.path.join(ROOT, "clients/python")], capture_output=True, text=True, check=True)
            client_runs.append(dict(json.loads(out.stdout), server_cpu_s=cpu_s(server.pid) - cpu_before))
            print("  client", client_runs[-1])
        print("REFER + Refs/Anns/Imgs: median wall %.2f s, client cpu %.2f s, server cpu %.2f s, client peak RSS %.0f MB (sizes %s)" % (
            median_of(client_runs, "wall_s"), median_of(client_runs, "cpu_s"), median_of(client_runs, "server_cpu_s"), median_of(client_runs, "rss_mb"), client_runs[0]["sizes"]))
        for path in ("/export/refcoco/unc.jsonl?split=train", "/export/refcoco/unc.jsonl?split=train&include=masks"):
            runs = []
            for _ in range(args.runs):
                runs.append(export(url, server.pid, path))
                print("  export", path, runs[-1])
            print("%s: median %.2f s (server cpu %.2f s), %.0f MB, %d lines; server RSS before %.0f MB, peak %.0f MB, after %.0f MB" % (
                path, median_of(runs, "wall_s"), median_of(runs, "server_cpu_s"), runs[0]["mb"], runs[0]["lines"], median_of(runs, "rss_before_mb"), median_of(runs, "rss_peak_mb"), median_of(runs, "rss_after_mb")))
        print("load average after: %s" % (os.getloadavg(),))
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
