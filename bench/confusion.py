"""The document-type confusion matrix of one generated corpus: the truth's labels
(rows) against `leakdex scan --documents` (columns), one count per distinct document.

    python3 bench/confusion.py CORPUS.truth.json DOCUMENTS.jsonl CORPUS_DIR
"""
import json
import sys
from collections import Counter

truth_path, docs_path, corpus = sys.argv[1:4]
truth = json.load(open(truth_path))
by_hash, by_path = {}, {}
for line in open(docs_path):
    d = json.loads(line)
    label = "signed_contract" if d["signed"] else d["doc_type"]
    by_hash[d["document"]] = label
    by_path[d["path"][len(corpus):].lstrip("/")] = label
matrix, seen = Counter(), set()
for f in truth["files"]:
    if not f.get("doc_type") or f["blake3"] in seen:
        continue
    seen.add(f["blake3"])
    got = by_hash.get(f["blake3"]) or by_path.get(f["path"], "MISSING")
    matrix[(f["doc_type"], got)] += 1
labels = sorted({a for a, _ in matrix} | {b for _, b in matrix})
short = {l: l.replace("_", " ") for l in labels}
print(f"seed {truth['seed']}: {sum(v for (a, b), v in matrix.items() if a == b)}/{sum(matrix.values())} correct")
print("| truth \\ classified | " + " | ".join(short[l] for l in labels) + " |")
print("|---|" + "---|" * len(labels))
for a in labels:
    if not any(matrix[(a, b)] for b in labels):
        continue
    print(f"| {short[a]} | " + " | ".join(str(matrix[(a, b)] or "") for b in labels) + " |")
