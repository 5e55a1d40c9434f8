#!/usr/bin/env python3
"""Writes a deterministic plain-text file of about SIZE_MB megabytes in which ~20% of the
lines hold an e-mail address (a few also a phone or card), for bench/e2e.sh."""
import random, sys

out, size_mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
words = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
         "incididunt ut labore et dolore magna aliqua order invoice shipped 2024-03-12 "
         "customer account balance total net gross report meeting").split()
domains = ["contoso.de", "fabrikam.fr", "northwind.co.uk", "tailspin.com", "adatum.it",
           "litware.es", "proseware.nl", "wingtip.com.br", "fourthcoffee.co.jp"]
target = size_mb * 1_000_000
written = 0
with open(out, "w", buffering=1 << 20) as f:
    while written < target:
        line = " ".join(rnd.choice(words) for _ in range(rnd.randint(6, 14)))
        r = rnd.random()
        if r < 0.20:
            who = f"user{rnd.randint(0, 199_999)}@{rnd.choice(domains)}"
            line = f"{line} {who} {rnd.choice(words)}"
            if r < 0.01:
                line += " Tel: +49 30 %08d" % rnd.randint(10_000_000, 99_999_999)
        line += "\n"
        f.write(line)
        written += len(line)
