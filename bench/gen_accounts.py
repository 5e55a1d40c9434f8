#!/usr/bin/env python3
"""N distinct e-mail addresses as CSV files (bench input for the search service).

    bench/gen_accounts.py OUT_DIR N [FILES]

Deterministic; addresses spread over 20,000 organisation domains under common ccTLDs.
Also writes OUT_DIR.sample: 20,000 of the addresses, for load generators.
"""
import os
import random
import sys

out, n = sys.argv[1], int(sys.argv[2])
files = int(sys.argv[3]) if len(sys.argv) > 3 else 20
rng = random.Random(42)
tlds = ["de", "fr", "co.uk", "com", "nl", "es", "it", "ch", "at", "be", "se", "pl"]
first = ["anna", "ben", "clara", "david", "emma", "felix", "greta", "hugo", "ines", "jonas",
         "karl", "lena", "marc", "nora", "otto", "paula", "rafael", "sofia", "tom", "vera"]
last = ["muller", "schmidt", "martin", "bernard", "smith", "jones", "garcia", "rossi",
        "devries", "jansen", "novak", "nowak", "silva", "dubois", "weber", "wagner"]
os.makedirs(out, exist_ok=True)
handles = [open(os.path.join(out, f"accounts-{i:03}.csv"), "w") for i in range(files)]
for h in handles:
    h.write("email,name,company\n")
sample = []
for i in range(n):
    org = i % 20000
    dom = f"org{org}-{rng.choice(last)}.{tlds[org % len(tlds)]}"
    f, l = rng.choice(first), rng.choice(last)
    addr = f"{f}.{l}{i}@{dom}"
    handles[i % files].write(f"{addr},{f.title()} {l.title()},Org {org}\n")
    if i % max(1, n // 20000) == 0:
        sample.append(addr)
for h in handles:
    h.close()
with open(out.rstrip("/") + ".sample", "w") as s:
    s.write("\n".join(sample) + "\n")
