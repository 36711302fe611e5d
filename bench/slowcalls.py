#!/usr/bin/env python3
"""When did a round's slowest calls come? Reads the files of `DUMP=1 bench/run.sh` (LoadGen --dump) and, optionally,
GC logs written with -Xlog:gc:file=...:utctime, and prints for each round:

  p99            the round's p99 (ms), from the dump
  slow           the calls slower than that p99 (the calls that make the p99)
  by second      how many of them started in each second of the measured window
  in pauses      how many of them overlapped a stop-the-world pause of each GC log given (name=glob)

    bench/slowcalls.py 'bench/results/calls-*.txt' sidecar=/tmp/sidecar-gc.log loadgen='/tmp/lg-gc-*.log'

A call overlaps a pause when it was in flight at any moment of the pause (from its intended start to its answer).
"""
import datetime
import glob
import re
import sys

PAUSE = re.compile(r"\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})[^\]]*\].*Pause .* ([\d.]+)ms")


def pauses(pattern):
    """(start, end) in epoch seconds of every pause in the GC logs matching pattern."""
    out = []
    for name in glob.glob(pattern):
        with open(name) as f:
            for line in f:
                m = PAUSE.match(line)
                if m:
                    end = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f") \
                        .replace(tzinfo=datetime.timezone.utc).timestamp()
                    out.append((end - float(m.group(2)) / 1000, end))
    return sorted(out)


def load(name):
    with open(name) as f:
        header = f.readline()
        start = int(header.split("=")[1]) / 1e6
        calls = [tuple(map(float, line.split())) for line in f if line.strip()]
    return start, calls


def main(args):
    if not args:
        sys.exit(__doc__)
    logs = []
    for spec in args[1:]:
        label, _, pattern = spec.partition("=")
        logs.append((label, pauses(pattern)))
    for name in sorted(glob.glob(args[0])):
        start, calls = load(name)
        ok = sorted(latency for _, latency in calls if latency >= 0)
        if not ok:
            continue
        p99 = ok[int(len(ok) * 0.99)]
        slow = [(at, latency) for at, latency in calls if latency > p99]
        seconds = int(calls[-1][0] / 1000) + 1
        by_second = [0] * seconds
        for at, _ in slow:
            by_second[int(at / 1000)] += 1
        line = "%-28s p99=%6.3f slow=%3d by second: %s" % (
            name.split("/")[-1], p99, len(slow), " ".join("%3d" % n for n in by_second))
        for label, spans in logs:
            hit = sum(1 for at, latency in slow
                      if any(s <= start + (at + latency) / 1000 and start + at / 1000 <= e for s, e in spans))
            line += "  in %s pauses: %d" % (label, hit)
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
