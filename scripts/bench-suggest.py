#!/usr/bin/env python3
"""What "did you mean" costs on a large site: `stepbook check` of a generated site whose
links are all good, against the same site with many broken links, fragments and images,
each of which gets suggestions (src/suggest.rs). `check` writes nothing, so the two runs
do the same work but for the broken links and their suggestions.

    cargo build --release && python3 scripts/bench-suggest.py [--articles 10000] [--broken 1000] [--runs 5]

The site is written to /dev/shm (tmpfs) so the disk does not blur the times. Every round
checks both sites, after one untimed round; the script prints the medians of wall-clock and
CPU time (CPU time is steadier on a busy machine), and the CPU time per broken item. The broken site must fail with one diagnostic per broken link,
image and fragment, which the script checks.
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
STEPBOOK = os.environ.get("STEPBOOK_BIN", os.path.join(REPO, "target", "release", "stepbook"))
WORDS = ("account billing refund invoice password team member plan export import report "
         "filter label project calendar reminder message contact device backup").split()


def name(i):
    return f"{WORDS[i % len(WORDS)]}-{WORDS[(i * 7) % len(WORDS)]}-{i}"


def write_site(root, articles, broken):
    """`articles` articles in 40 collections; article i links to article i+1 (to a step) and
    shows an image. With `broken`, the first `broken` articles misspell the link target, the
    fragment of a second link and the image name."""
    content = os.path.join(root, "content")
    for c in range(40):
        os.makedirs(os.path.join(content, f"c{c}"), exist_ok=True)
    for i in range(articles):
        c, n = i % 40, (i + 1) % articles
        target = f"../c{n % 40}/{name(n)}.md"
        image = f"shot-{i}.png"
        fragment = "open-the-form-step-1"
        if i < broken:
            target = target.replace(".md", "x.md")
            fragment = "open-teh-form-step-1"
            image = f"shoot-{i}.png"
        with open(os.path.join(content, f"c{c}", f"shot-{i}.png"), "w") as f:
            f.write("image")
        with open(os.path.join(content, f"c{c}", f"{name(i)}.md"), "w") as f:
            f.write(f"---\ntitle: {name(i).replace('-', ' ').title()}\ndescription: d\n---\n\n"
                    f"## Open the form\n\n1. Open [the next one]({target}).\n"
                    f"2. See [step 1](#{fragment}).\n\n![The form]({image})\n")


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(site):
    """Wall-clock and CPU seconds (all threads) of one `stepbook check`, and its result."""
    start, start_cpu = time.perf_counter(), cpu()
    r = subprocess.run([STEPBOOK, "check"], cwd=site, capture_output=True, text=True)
    return (time.perf_counter() - start, cpu() - start_cpu), r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--broken", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if not os.path.exists(STEPBOOK):
        sys.exit(f"no binary at {STEPBOOK}: run `cargo build --release` first")
    base = tempfile.mkdtemp(prefix="stepbook-suggest-", dir="/dev/shm")
    try:
        good, bad = os.path.join(base, "good"), os.path.join(base, "bad")
        write_site(good, args.articles, 0)
        write_site(bad, args.articles, args.broken)
        t, r = timed(good)
        if r.returncode != 0:
            sys.exit(f"the good site has errors:\n{r.stderr[-2000:]}")
        t, r = timed(bad)
        want = 3 * args.broken
        found = r.stderr.count("\nerror[") + r.stderr.startswith("error[")
        if r.returncode != 1 or found != want:
            sys.exit(f"the broken site gave {found} errors, not {want}:\n{r.stderr[-2000:]}")
        times = {"good": [], "bad": []}
        for _ in range(args.runs):
            times["good"].append(timed(good)[0])
            times["bad"].append(timed(bad)[0])
        print(f"{args.articles} articles, {args.broken} broken links + fragments + images, "
              f"median of {args.runs} (CPU: all threads)")
        med = {k: [statistics.median(t[i] for t in v) for i in (0, 1)] for k, v in times.items()}
        for k in ("good", "bad"):
            print(f"  {k:5} wall {med[k][0] * 1000:7.0f} ms   CPU {med[k][1] * 1000:7.0f} ms")
        extra = (med["bad"][1] - med["good"][1]) * 1e6 / want
        print(f"  CPU per broken link, fragment and image: {extra:+.0f} us")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
