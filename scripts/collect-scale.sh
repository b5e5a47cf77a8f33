#!/usr/bin/env bash
# The memory and wall time of collecting a large account (issue 24): INSTANCES instances
# and SECURITY_GROUPS security groups (default 2,000 and 500, one ingress rule each, the
# instances spread over the groups) seeded in a local moto_server, then `gsl collect
# --stats` of its region, timed by /usr/bin/time. Prints the calls per operation, the wall
# time and the peak RSS. The calls against the pages needed are asserted by
# tests/it/collect_ec2_scale.rs; this measures the process, as scripts/rss.sh does for
# `gsl check`.
# Not run in CI (seeding takes a few minutes). Usage:
#   GSL_VENV=.venv ./scripts/collect-scale.sh            # the venv of scripts/test.sh
#   INSTANCES=200 SECURITY_GROUPS=50 ./scripts/collect-scale.sh   # a smaller account
set -euo pipefail
cd "$(dirname "$0")/.."
instances="${INSTANCES:-2000}"
groups="${SECURITY_GROUPS:-500}"
venv="${GSL_VENV:-.venv}"
gsl="${GSL_BIN:-target/release/gsl}"
[ -x "$gsl" ] || cargo build --release --bin gsl
work="$(mktemp -d)"
port="$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$venv/bin/moto_server" -p "$port" >"$work/moto.log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; rm -rf "$work"' EXIT
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
for _ in $(seq 100); do
  "$venv/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null && break
  sleep 0.2
done
echo "seeding $instances instances and $groups security groups"
"$venv/bin/python" - "$port" "$instances" "$groups" <<'PY'
import sys, boto3
port, instances, groups = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ec2 = boto3.client("ec2", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1")
vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
ids = []
for i in range(groups):
    g = ec2.create_security_group(GroupName=f"scale-{i}", Description="scale", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": [{"CidrIp": f"10.{i // 256}.{i % 256}.0/24"}]}])
    ids.append(g)
batch = max(1, instances // groups)
made = 0
while made < instances:
    n = min(batch, instances - made)
    ec2.run_instances(ImageId=image, MinCount=n, MaxCount=n, InstanceType="t3.micro",
                      SecurityGroupIds=[ids[(made // batch) % len(ids)]])
    made += n
PY
echo "collecting"
/usr/bin/time -f "%e s wall, %M KB peak RSS" -o "$work/time" \
  "$gsl" collect --endpoint-url "http://127.0.0.1:$port" --region us-east-1 --stats \
  --no-progress -o "$work/snapshot.json" 2>"$work/stats" || true
cat "$work/stats"
echo "snapshot: $(wc -c <"$work/snapshot.json") bytes; $(cat "$work/time")"
