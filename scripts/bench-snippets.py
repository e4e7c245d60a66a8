#!/usr/bin/env python3
"""What snippets cost: `stepbook check` on a generated site whose procedures open with steps
from snippets, against the same site with those steps written out in every article.

    cargo build --release && python3 scripts/bench-snippets.py [--articles 5000] [--runs 7]

Each article has three procedures; each opens with a two-step snippet (one in seven with a
snippet that includes another), so the site has three includes per article. The two
flavours are checked in alternating rounds; the script prints the median CPU time
(user + system, steadier than wall time on a busy machine) and wall time of each. Sites are
generated under /dev/shm when it exists.
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STEPBOOK = os.environ.get("STEPBOOK_BIN", os.path.join(REPO, "target", "release", "stepbook"))

SNIPPETS = {f"common/open-{k}": f"1. Open the **Area {k}** page from the main menu.\n2. Select the **Settings {k}** tab, then **Edit**.\n" for k in range(10)}
SNIPPETS["common/nested"] = "::: include common/open-0\n3. Confirm with **OK**.\n"


def written_out(name):
    """The text of a snippet with its includes replaced."""
    return "".join(
        written_out(line.split()[2]) if line.startswith("::: include ") else line
        for line in SNIPPETS[name].splitlines(True)
    )


def generate(root, articles, include):
    os.makedirs(os.path.join(root, "content", "_snippets", "common"))
    with open(os.path.join(root, "book.toml"), "w") as f:
        f.write('[book]\ntitle = "Bench"\n')
    if include:
        for name, text in SNIPPETS.items():
            with open(os.path.join(root, "content", "_snippets", name + ".md"), "w") as f:
                f.write(text)
    for i in range(articles):
        folder = os.path.join(root, "content", f"c{i % 20}")
        os.makedirs(folder, exist_ok=True)
        body = [f"---\ntitle: Article {i}\ndescription: About {i}.\n---\n\nIntro text for article {i}.\n"]
        for p in range(3):
            name = "common/nested" if (i + p) % 7 == 0 else f"common/open-{(i + p) % 10}"
            body.append(f"\n## Procedure {p}\n\n")
            body.append(f"::: include {name}\n" if include else written_out(name))
            body.append("1. Do the next thing.\n1. Check the result and save.\n1. Close the page.\n")
        with open(os.path.join(folder, f"a{i}.md"), "w") as f:
            f.write("".join(body))


def timed(cwd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([STEPBOOK, "check"], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    base = tempfile.mkdtemp(prefix="stepbook-snippets-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        sites = {"written out": os.path.join(base, "inline"), "snippets": os.path.join(base, "snippets")}
        for label, root in sites.items():
            generate(root, args.articles, label == "snippets")
            timed(root)  # untimed warm-up
        results = {label: [] for label in sites}
        for _ in range(args.runs):
            for label, root in sites.items():
                results[label].append(timed(root))
        print(f"stepbook check, {args.articles} articles, {3 * args.articles} procedures, median of {args.runs}:")
        for label, runs in results.items():
            cpu = statistics.median(r[0] for r in runs)
            wall = statistics.median(r[1] for r in runs)
            print(f"  {label:12} {cpu:6.2f} s CPU  {wall:6.2f} s wall")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
