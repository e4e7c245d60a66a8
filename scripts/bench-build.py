#!/usr/bin/env python3
"""Full-build benchmark: stepbook against Hugo and mdBook on the same generated Markdown.

    cargo build --release --examples && python3 scripts/bench-build.py [--sizes 1000 10000] [--runs 5]

For each size it generates the native, hugo and mdbook flavours with
../shared/bench/gen_corpus.py, then builds them with stepbook, hugo and mdbook in
rounds after untimed warm-up rounds, each round in an order of its own (shuffled with a
fixed seed), and prints medians, stepbook-to-peer ratios, stepbook's peak memory and the
pulldown-cmark floor (examples/markdown_floor:
pulldown-cmark alone over the same files). "stepbook (empty dest)" builds into a new
folder each time, and so does "hugo (empty dest)"; "stepbook --force (empty dest)" does too,
taking nothing from the cache. A peer that is not installed is skipped,
and the script says so. --baseline BIN times a second stepbook binary (an earlier build of it)
in the same rounds, on its own copy of the site, so that a change is measured
against what it changes under the same load.

Everything goes into a temporary folder under --tmp (default /dev/shm, a tmpfs, when it is
there), named with --prefix. --instructions also counts the user-space instructions of one
stepbook build --force into an empty folder, of one build into an empty folder from the cache
that one left (every page rendered, from bodies read back), and of the floor (perf stat -e
instructions:u, or valgrind's cachegrind where the machine has no hardware counters), and
prints their ratios.
"""
import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
GEN = os.path.normpath(os.path.join(REPO, "..", "shared", "bench", "gen_corpus.py"))
STEPBOOK = os.environ.get("STEPBOOK_BIN", os.path.join(REPO, "target", "release", "stepbook"))
FLOOR = os.path.join(REPO, "target", "release", "examples", "markdown_floor")


def run(cmd, cwd):
    """Runs cmd; returns (seconds, peak RSS of the child in KiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{proc.stderr.decode()[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return took, max(peak, before)


def on_tmpfs(path):
    """Whether path is on a tmpfs (its files are held in memory), as /proc/mounts says."""
    path = os.path.realpath(path)
    best, kind = "", None
    try:
        with open("/proc/mounts") as mounts:
            for line in mounts:
                fields = line.split()
                if len(fields) < 3:
                    continue
                point = fields[1].replace("\\040", " ")
                inside = path == point or path.startswith(point.rstrip("/") + "/")
                if inside and len(point) > len(best):
                    best, kind = point, fields[2]
    except OSError:
        return False
    return kind == "tmpfs"


def peak_rss(cmd, cwd):
    """Peak memory of one run, via /usr/bin/time when it is there."""
    if not shutil.which("time") and not os.path.exists("/usr/bin/time"):
        return None
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        return int(proc.stderr.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def instructions(cmd, cwd, dest=None):
    """User-space instructions of one run: perf stat's count, or, where the machine has no
    hardware counters (many VMs), valgrind's (cachegrind's I refs). None when neither can.
    `dest`, the run's output folder, is deleted before each try: a perf run that could not
    count has built into it, and a second build there would keep its files. A run that fails
    stops the script."""
    if dest:
        shutil.rmtree(dest, ignore_errors=True)
    if shutil.which("perf"):
        proc = subprocess.run(["perf", "stat", "-x,", "-e", "instructions:u"] + cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # perf's line for the event, a count or `<not supported>`: perf ran the command.
        counted = [f for f in (line.split(",") for line in proc.stderr.splitlines()) if len(f) > 2 and f[2].startswith("instructions")]
        if counted and proc.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed in {cwd}:\n{proc.stderr[-2000:]}")
        for fields in counted:
            if fields[0].isdigit():
                return int(fields[0]), "perf"
    if shutil.which("valgrind"):
        if dest:
            shutil.rmtree(dest, ignore_errors=True)
        proc = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"] + cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed under valgrind in {cwd}:\n{proc.stderr[-2000:]}")
        for line in proc.stderr.splitlines():
            if "I refs:" in line or "I   refs:" in line:
                return int(line.split(":")[-1].strip().replace(",", "")), "valgrind"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2, help="untimed rounds first (default 2: stepbook's second build into a folder is the first to keep files of an earlier one)")
    ap.add_argument("--peers", nargs="*", default=["hugo", "mdbook"], help="peers to compare with (default: hugo mdbook)")
    ap.add_argument("--mdbook-max", type=int, default=2000, help="largest size built with mdBook, whose sidebar makes a build grow with the square of the page count (default 2000)")
    ap.add_argument("--tmp", default="/dev/shm" if os.path.isdir("/dev/shm") else None, help="folder for the corpora and outputs (default /dev/shm when there)")
    ap.add_argument("--prefix", default="stepbook-bench-", help="name prefix of the temporary folder")
    ap.add_argument("--baseline", help="another stepbook binary to time in the same rounds, on its own copy of the site")
    ap.add_argument("--instructions", action="store_true", help="count instructions (perf stat, or valgrind) of a build --force into an empty folder, of a build into an empty folder from its cache, and of the floor")
    args = ap.parse_args()
    peers = {"hugo": shutil.which("hugo"), "mdbook": shutil.which("mdbook") or os.path.expanduser("~/.cargo/bin/mdbook")}
    peers = {k: v for k, v in peers.items() if v and os.path.exists(v) and k in args.peers}
    for name in ("hugo", "mdbook"):
        if name not in peers and name in args.peers:
            print(f"note: {name} is not installed; skipping it")
    work = tempfile.mkdtemp(prefix=args.prefix, dir=args.tmp)
    in_memory = on_tmpfs(work)
    per_article = {}
    try:
        for n in args.sizes:
            sites = {}
            for flavor in ("native", "hugo", "mdbook"):
                d = os.path.join(work, f"{flavor}-{n}")
                subprocess.run([sys.executable, GEN, "--articles", str(n), "--out", d, "--flavor", flavor], check=True, stdout=subprocess.DEVNULL)
                sites[flavor] = d
            cmds = {
                "stepbook": ([STEPBOOK, "build", "--dest", os.path.join(work, f"out-stepbook-{n}")], sites["native"]),
                # Into a new folder every time: nothing of an earlier build to keep. Each run
                # gets its own folder. On a tmpfs it is deleted after its run (the folders
                # of 10,000 articles hold half a gigabyte each, in memory); elsewhere they
                # are deleted only after the last run: on ext4 without a journal, files made
                # within a minute of deleting tens of thousands of others are slow to make,
                # and the benchmark would time that.
                "stepbook (empty dest)": ([STEPBOOK, "build", "--dest"], sites["native"]),
            }
            # A full build: nothing taken from the cache either. On a copy of its own, as the
            # cache it writes (every build writes one) would be the one the others read.
            force_site = sites["native"] + "-force"
            shutil.copytree(sites["native"], force_site)
            cmds["stepbook --force (empty dest)"] = ([STEPBOOK, "build", "--force", "--dest"], force_site)
            if args.baseline:
                # Its own copy: the two binaries' caches and anchor records must not meet.
                base_site = sites["native"] + "-baseline"
                shutil.copytree(sites["native"], base_site)
                cmds["baseline"] = ([args.baseline, "build", "--dest", os.path.join(work, f"out-baseline-{n}")], base_site)
                cmds["baseline (empty dest)"] = ([args.baseline, "build", "--dest"], base_site)
            if "hugo" in peers:
                cmds["hugo"] = ([peers["hugo"], "--quiet", "--destination", os.path.join(work, f"out-hugo-{n}")], sites["hugo"])
                cmds["hugo (empty dest)"] = ([peers["hugo"], "--quiet", "--destination"], sites["hugo"])
            if "mdbook" in peers and n > args.mdbook_max:
                print(f"note: mdbook skipped at {n} articles (over --mdbook-max {args.mdbook_max})")
            elif "mdbook" in peers:
                cmds["mdbook"] = ([peers["mdbook"], "build", "--dest-dir", os.path.join(work, f"out-mdbook-{n}")], sites["mdbook"])
            if os.path.exists(FLOOR):
                cmds["pulldown-cmark floor"] = ([FLOOR, os.path.join(sites["native"], "content")], sites["native"])
            times = {k: [] for k in cmds}
            # Each round runs the commands in an order of its own, shuffled with a fixed seed:
            # a build runs faster or slower with what the one before it left (memory freed in
            # huge pages, files in the page cache), so no command always follows the same one.
            rounds = random.Random(n)
            for r in range(args.warmup + args.runs):
                order = list(cmds.items())
                rounds.shuffle(order)
                for name, (cmd, cwd) in order:
                    if name.endswith("(empty dest)"):
                        if r < args.warmup:
                            continue
                        label = "-".join(name.replace("(empty dest)", "").replace("-", " ").split())
                        fresh = os.path.join(work, f"out-{label}-fresh-{n}-{r}")
                        cmd = cmd + [fresh]
                        subprocess.run(["sync"])
                    took = run(cmd, cwd)[0]
                    if name.endswith("(empty dest)") and in_memory:
                        shutil.rmtree(fresh, ignore_errors=True)
                    if r >= args.warmup:
                        times[name].append(took)
            med = {k: statistics.median(v) for k, v in times.items()}
            mem = peak_rss(cmds["stepbook"][0], cmds["stepbook"][1])
            print(f"\n{n} articles ({args.runs} rounds in shuffled order after {args.warmup} untimed, medians)")
            for name, t in med.items():
                line = f"  {name:30} {t * 1000:9.0f} ms"
                if name.endswith("(empty dest)") and not name.startswith("stepbook"):
                    line += f"   stepbook/{name.split()[0]}, both into an empty folder = {med['stepbook (empty dest)'] / t:.2f}"
                    if not name.startswith("baseline"):
                        line += f" (with --force: {med['stepbook --force (empty dest)'] / t:.2f})"
                elif not name.startswith("stepbook"):
                    line += f"   stepbook/{name} = {med['stepbook'] / t:.2f} (empty dest: {med['stepbook (empty dest)'] / t:.2f})"
                print(line)
            if mem:
                print(f"  {'stepbook peak memory':30} {mem / 1024:9.0f} MiB")
            if args.baseline:
                base_mem = peak_rss(cmds["baseline"][0], cmds["baseline"][1])
                if base_mem:
                    print(f"  {'baseline peak memory':30} {base_mem / 1024:9.0f} MiB")
            if args.instructions and "pulldown-cmark floor" in cmds:
                # --force: every page rendered, none taken from the cache of the timed runs.
                forced = os.path.join(work, f"out-stepbook-perf-{n}")
                build = instructions([STEPBOOK, "build", "--force", "--dest", forced], sites["native"], forced)
                floor = instructions(*cmds["pulldown-cmark floor"])
                if build and floor:
                    print(f"  instructions ({build[1]:8}) build --force into an empty folder {build[0]:,}, floor {floor[0]:,}, ratio {build[0] / floor[0]:.2f}")
                    # The default build into an empty folder: its bodies come from the cache
                    # the build above left, and every page is rendered and written.
                    fresh = os.path.join(work, f"out-stepbook-perf-cached-{n}")
                    cached = instructions([STEPBOOK, "build", "--dest", fresh], sites["native"], fresh)
                    if cached:
                        print(f"  instructions ({cached[1]:8}) build into an empty folder {cached[0]:,}, ratio {cached[0] / floor[0]:.2f}")
                    if args.baseline:
                        based = os.path.join(work, f"out-baseline-perf-{n}")
                        base = instructions([args.baseline, "build", "--force", "--dest", based], cmds["baseline"][1], based)
                        if base:
                            print(f"  instructions ({base[1]:8}) baseline build --force {base[0]:,}, ratio {base[0] / floor[0]:.2f}")
                else:
                    print("  instructions             neither perf stat nor valgrind could count them here")
            per_article[n] = med["stepbook"] / n
        if len(per_article) > 1:
            sizes = sorted(per_article)
            growth = ", ".join(f"{k}: {per_article[k] * 1e6:.0f} us" for k in sizes)
            print(f"\nstepbook time per article ({growth}); linear growth keeps it flat")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
