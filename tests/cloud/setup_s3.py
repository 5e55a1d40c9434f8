"""Sets up moto's S3 server for leakdex's audit tests: a bucket readable and listable by
anyone (public-read ACL on bucket and objects) and a private bucket, each holding the
files of DIR.

    python3 setup_s3.py http://127.0.0.1:PORT DIR
"""
import os
import sys

import boto3

endpoint, root = sys.argv[1:3]
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
for bucket, acl in [("open-bucket", "public-read"), ("private-bucket", "private")]:
    s3.create_bucket(Bucket=bucket, ACL=acl)
    for dirpath, _, names in os.walk(root):
        for n in names:
            path = os.path.join(dirpath, n)
            key = os.path.relpath(path, root)
            with open(path, "rb") as f:
                s3.put_object(Bucket=bucket, Key=key, Body=f.read(), ACL=acl)
print("s3 ready")
