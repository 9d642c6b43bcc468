#!/usr/bin/env python3
"""A strict checker of the Prometheus text exposition format 0.0.4, for the
metrics test when promtool is not installed: every line is a HELP, a TYPE or
a sample; names and labels are valid; a family's TYPE comes before its
samples and once; values are numbers; histogram buckets are cumulative and
end in le="+Inf" equal to _count. Exits 1 naming the first bad line."""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(\{(?:%s(?:,%s)*)?\})? (\S+)$" % (NAME, LABEL, LABEL))
VALUE = re.compile(r"^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)|[+-]Inf|NaN)$")


def fail(n, line, why):
    print("line %d: %s: %r" % (n, why, line))
    sys.exit(1)


def main(path):
    text = open(path, encoding="utf-8").read()
    if text and not text.endswith("\n"):
        fail(0, text[-20:], "no final newline")
    types, helps, seen_samples = {}, set(), set()
    buckets = {}
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            if not re.fullmatch(NAME, name) or name in helps:
                fail(n, line, "bad or repeated HELP")
            helps.add(name)
        elif line.startswith("# TYPE "):
            parts = line.split(" ")
            if len(parts) != 4 or parts[3] not in ("counter", "gauge", "histogram", "summary", "untyped"):
                fail(n, line, "bad TYPE")
            if parts[2] in types or parts[2] in seen_samples:
                fail(n, line, "TYPE repeated or after samples")
            types[parts[2]] = parts[3]
        elif line.startswith("#"):
            continue
        else:
            m = SAMPLE.match(line)
            if not m or not VALUE.match(m.group(3)):
                fail(n, line, "not a sample")
            name, labels, value = m.group(1), m.group(2) or "", m.group(3)
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            family = base if types.get(base) == "histogram" else name
            if family not in types:
                fail(n, line, "sample without a TYPE")
            seen_samples.add(family)
            if types[family] == "counter" and float(value) < 0:
                fail(n, line, "negative counter")
            if types[family] != "histogram" or family == name:
                continue
            le = re.search(r'le="([^"]*)"', labels)
            key = (family, re.sub(r',?le="[^"]*"', "", labels).replace("{}", "").replace("{,", "{"))
            if name.endswith("_bucket"):
                if not le:
                    fail(n, line, "bucket without le")
                if float(value) < buckets.get(key, (-1, None))[0]:
                    fail(n, line, "buckets not cumulative")
                buckets[key] = (float(value), le.group(1))
            elif name.endswith("_count"):
                b = buckets.get(key)
                if b is None or b[1] != "+Inf" or b[0] != float(value):
                    fail(n, line, "_count differs from the +Inf bucket")
    print("ok: %d families" % len(types))


if __name__ == "__main__":
    main(sys.argv[1])
