#!/usr/bin/env python3
"""Bench: the Python client reading every record once, against a running server.

    /usr/bin/python3 bench/python-client-records.py --url http://127.0.0.1:4000 [--runs 5]

Each run is a fresh Python process: REFER(url, 'refcoco', 'unc'), then every value of
Refs, Anns (without touching a segmentation, which would fetch the polygons) and Imgs
read once. Reported: wall, client CPU and peak RSS, medians of --runs. bench/python-client.py
measures first access alone (and starts its own server).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

WALK = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
t0 = time.perf_counter()
from refer_graphql import REFER
refer = REFER(sys.argv[1], 'refcoco', 'unc')
ids = [r['ref_id'] for r in refer.Refs.values()], [a['id'] for a in refer.Anns.values()], [i['id'] for i in refer.Imgs.values()]
print(json.dumps({'wall_s': time.perf_counter() - t0, 'cpu_s': time.process_time(), 'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'sizes': [len(x) for x in ids]}))
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", WALK, args.url, os.path.join(ROOT, "clients/python")], capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout))
        print("  run", runs[-1])
    print("every record of Refs/Anns/Imgs read once: median wall %.2f s, client cpu %.2f s, peak RSS %.0f MB (sizes %s); load average %s" % (
        statistics.median(r["wall_s"] for r in runs), statistics.median(r["cpu_s"] for r in runs), statistics.median(r["rss_mb"] for r in runs), runs[0]["sizes"], os.getloadavg()))


if __name__ == "__main__":
    main()
