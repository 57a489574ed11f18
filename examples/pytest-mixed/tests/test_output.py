import sys


def test_prints_to_stdout():
    print("hello from stdout")


def test_prints_to_stderr():
    print("hello from stderr", file=sys.stderr)
