#!/usr/bin/env python3
"""Save-to-served latency of `gazette serve` on the benchmark corpus.

    bench/serve_latency.py [--n 10000] [--runs 10] [--bin target/release/gazette]

Copies the N-article corpus (made by bench/corpus.sh) to a scratch folder, starts
`gazette serve` on a free port, and for each of --runs articles edits the file and polls
the article's URL until the new text is served. The latency is measured from just before
the file is written to the first response that holds the edit: watching, debouncing,
parsing, rendering, writing and serving included. Three kinds of edit:

  body   a sentence added to the body (the common case)
  title  the headline changed: every listing and link that shows it changes too
  tags   a tag added: see-also, tag pages and feeds are recomputed

Prints median, 90th percentile and worst case per kind, in milliseconds.
"""
import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "target", "release", "gazette"))
    ap.add_argument("--kinds", default="body,title,tags")
    ap.add_argument("--serve-args", default="", help="extra arguments for gazette serve, e.g. --timings")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    corpus = subprocess.run([os.path.join(HERE, "corpus.sh"), str(a.n)], check=True,
                            capture_output=True, text=True).stdout.strip()
    scratch = os.path.join(os.environ.get("BENCH_DIR", "/tmp/bench"), f"serve-{a.n}")
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(corpus, scratch, ignore=shutil.ignore_patterns("output", ".output*"))
    with open(os.path.join(scratch, ".bench-manifest.tsv"), encoding="utf-8") as f:
        next(f)
        rows = [line.rstrip("\n").split("\t") for line in f]

    port = free_port()
    log = open(os.path.join(scratch, "serve.log"), "w")
    started = time.perf_counter()
    server = subprocess.Popen([binary, "serve", "--port", str(port)] + a.serve_args.split(), cwd=scratch,
                              stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, NO_COLOR="1"))
    try:
        while "Ctrl-C to stop" not in open(os.path.join(scratch, "serve.log")).read():
            if server.poll() is not None:
                sys.exit("serve exited:\n" + open(os.path.join(scratch, "serve.log")).read())
            time.sleep(0.1)
        print(f"# gazette serve on {a.n} articles: first build and start {time.perf_counter() - started:.1f} s")
        results = {}
        step = max(1, len(rows) // (a.runs * 3 + 1))
        picks = iter(rows[step::step])
        for kind in a.kinds.split(","):
            times = []
            for run in range(a.runs):
                url, rel = next(picks)[:2]
                path = os.path.join(scratch, rel)
                text = open(path, encoding="utf-8").read()
                probe = f"probe{kind}{run}x{os.getpid()}"
                if kind == "body":
                    new = text + f"\nLatency {probe} sentence.\n"
                elif kind == "title":
                    new = re.sub(r'^title: "(.*)"$', lambda m: f'title: "{m.group(1)} {probe}"', text, count=1, flags=re.M)
                else:
                    new = re.sub(r"^tags: \[", f"tags: [{probe}, ", text, count=1, flags=re.M)
                time.sleep(0.3)  # let the previous rebuild settle
                t0 = time.perf_counter()
                with open(path, "w", encoding="utf-8") as f:
                    f.write(new)
                while True:
                    if probe in fetch(port, url):
                        break
                    if time.perf_counter() - t0 > 30:
                        sys.exit(f"{kind} edit of {rel} not served after 30 s")
                    time.sleep(0.002)
                times.append((time.perf_counter() - t0) * 1000)
            results[kind] = times
        print("| edit | runs | median ms | p90 ms | max ms |")
        print("|---|---:|---:|---:|---:|")
        for kind, times in results.items():
            times.sort()
            p90 = times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))]
            print(f"| {kind} | {len(times)} | {statistics.median(times):.0f} | {p90:.0f} | {max(times):.0f} |")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    rebuilt = [l for l in open(os.path.join(scratch, "serve.log")) if l.startswith("rebuilt")]
    print(f"\n(server log: {os.path.join(scratch, 'serve.log')}; {len(rebuilt)} rebuilds)")


if __name__ == "__main__":
    main()
