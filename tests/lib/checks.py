"""Named checks for the integration scripts: each prints ok/FAIL, and
finish() prints the totals and exits non-zero if any failed."""

import argparse
import sys

_failures = []
_passes = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + (f": {detail}" if not cond else ""))
    (_passes if cond else _failures).append(name)


def finish():
    print(f"{len(_passes)} passed, {len(_failures)} failed")
    if _failures:
        print("failed: " + ", ".join(_failures))
        sys.exit(1)


def binary_arg():
    """The --binary argument every integration script takes: the cairn to test."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    return ap.parse_args().binary


def error_of(fn):
    """The text of the Redis error `fn` raises (redis-py), or "" if none."""
    import redis
    try:
        fn()
        return ""
    except redis.ResponseError as e:
        return str(e)
