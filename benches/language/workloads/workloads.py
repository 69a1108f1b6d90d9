# The language benchmark's workloads in Python, for comparison. Each prints
# "NAME MILLISECONDS" per run; the harness takes the median.
import sys
import time

sys.setrecursionlimit(10000)


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def count_to(n):
    i = 0
    while i < n:
        i = i + 1
    return i


def build_and_reverse(n):
    items = None
    for i in range(n):
        items = (i, items)
    reversed_items = None
    length = 0
    while items is not None:
        reversed_items = (items[0], reversed_items)
        items = items[1]
        length += 1
    return length


def build_strings(n):
    total = 0
    for i in range(n):
        total += len("item-%d" % i + "-done")
    return total


def hash_churn(n):
    table = {}
    for i in range(n):
        table[i] = 2 * i
    total = 0
    for i in range(n):
        total += table[i]
    for i in range(n):
        del table[i]
    return total + len(table)


def sort_numbers(n):
    numbers = []
    seed = 12345
    for _ in range(n):
        seed = (seed * 1103515245 + 12345) % 2147483648
        numbers.append(seed)
    return len(sorted(numbers))


def run(name, runs, function):
    for _ in range(runs):
        start = time.perf_counter()
        function()
        print("%s %.3f" % (name, (time.perf_counter() - start) * 1000.0), flush=True)


RUNS = 5
run("fib(30)", RUNS, lambda: fib(30))
run("count to 10,000,000", RUNS, lambda: count_to(10000000))
run("build and reverse a 1,000,000-element list", RUNS, lambda: build_and_reverse(1000000))
run("100,000 strings with format and concatenate", RUNS, lambda: build_strings(100000))
run("hash table: 200,000 puts, gets and removes", RUNS, lambda: hash_churn(200000))
run("sort 1,000,000 fixnums", RUNS, lambda: sort_numbers(1000000))
