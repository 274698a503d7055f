#!/bin/sh
# Starts a local S3 server for the remote-cache tests: moto_server (from PyPI,
# scripts/install-deps.sh --test) on 127.0.0.1:PORT with authentication on, so
# wrong credentials are refused as by AWS. The first three requests are allowed
# unauthenticated, to create one IAM user with an access key that may do
# anything; everything after that must be signed with it.
#
#   scripts/s3-test-server.sh PORT DIR   prints shell assignments:
#     PIPE_TEST_S3_ENDPOINT=... PIPE_TEST_S3_KEY=... PIPE_TEST_S3_SECRET=... PIPE_TEST_S3_PID=...
# The server's log is DIR/moto.log. Stop it with: kill $PIPE_TEST_S3_PID
set -eu
port="$1"
dir="$2"
mkdir -p "$dir"
INITIAL_NO_AUTH_ACTION_COUNT=3 nohup moto_server -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 &
pid=$!
python3 - "$port" "$pid" <<'PY'
import sys, time, json, boto3, botocore
port, pid = sys.argv[1], sys.argv[2]
endpoint = f"http://127.0.0.1:{port}"
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
deadline = time.time() + 60
while True:
    try:
        iam.create_user(UserName="pipe-test")
        break
    except botocore.exceptions.EndpointConnectionError:
        if time.time() > deadline:
            sys.exit("moto_server did not start on " + endpoint)
        time.sleep(0.2)
key = iam.create_access_key(UserName="pipe-test")["AccessKey"]
iam.put_user_policy(UserName="pipe-test", PolicyName="all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
print(f"PIPE_TEST_S3_ENDPOINT={endpoint} PIPE_TEST_S3_KEY={key['AccessKeyId']} "
      f"PIPE_TEST_S3_SECRET={key['SecretAccessKey']} PIPE_TEST_S3_PID={pid}")
PY
