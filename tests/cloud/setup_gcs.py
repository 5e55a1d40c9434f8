"""Sets up gcp-storage-emulator for leakdex's audit tests: one bucket holding the non-empty
files of DIR (the emulator has no access control: every bucket is public).

    python3 setup_gcs.py http://127.0.0.1:PORT BUCKET DIR
"""
import json
import os
import sys
import urllib.parse
import urllib.request

endpoint, bucket, root = sys.argv[1:4]
req = urllib.request.Request(
    f"{endpoint}/storage/v1/b?project=leakdex-test",
    data=json.dumps({"name": bucket}).encode(),
    headers={"content-type": "application/json"},
    method="POST",
)
urllib.request.urlopen(req).read()
for dirpath, _, names in os.walk(root):
    for n in names:
        path = os.path.join(dirpath, n)
        key = os.path.relpath(path, root)
        with open(path, "rb") as f:
            body = f.read()
        if not body:
            # The emulator fails on empty uploads; empty files hold nothing to find.
            continue
        url = f"{endpoint}/upload/storage/v1/b/{bucket}/o?uploadType=media&name={urllib.parse.quote(key, safe='')}"
        urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST")).read()
print("gcs ready")
