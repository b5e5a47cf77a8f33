#!/usr/bin/env python3
"""Test-only harness for gsl's collector tests (never shipped, never used by gsl itself).

Starts `moto_server` (with PutMetricFilter replacing a filter of the same name, as AWS does) on a
free 127.0.0.1 port and, in this process, a small translator that lets the
current aws-sdk-cloudwatch (Smithy RPC v2 CBOR) talk to moto, which serves CloudWatch only in the
awsJson1_0 and awsQuery protocols:

    POST /service/GraniteServiceVersion20100801/operation/<Op>   (CBOR body)
      -> POST /  X-Amz-Target: GraniteServiceVersion20100801.<Op>  Content-Type: application/x-amz-json-1.0
    JSON reply -> CBOR reply with `smithy-protocol: rpc-v2-cbor`; timestamps become CBOR tag 1 and
    numbers take the type of botocore's output shape.

A third listener answers every request with an access-denied error in the protocol of the request
(JSON 1.1, RPC v2 CBOR, query XML or EC2's query XML), to stand in for a region where the credentials lack permissions.

Prints one line `READY <moto_port> <translator_port> <deny_port>` when all answer, then waits for EOF on stdin
(the test process closed the pipe or died) and stops moto. Everything listens on 127.0.0.1 only.

Usage: moto_harness.py --moto-server PATH [--log FILE]
"""

import argparse
import base64
import datetime
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.session
import cbor2

TARGET_PREFIX = "GraniteServiceVersion20100801"
PATH_RE = re.compile(r"^/service/" + TARGET_PREFIX + r"/operation/([A-Za-z]+)$")
FORWARDED_HEADERS = ("authorization", "x-amz-date", "x-amz-security-token", "user-agent", "amz-sdk-invocation-id")

MODEL = botocore.session.get_session().get_service_model("cloudwatch")


# moto_server with AWS's PutMetricFilter semantics: a filter of the same name on the
# same log group is replaced (AWS "creates or updates"); moto 5.2.5 appends a second one,
# which no real account can hold (gsl fix replaces a filter's pattern under its name).
UPSERTING_MOTO = r"""
import sys
from moto.logs import metric_filters as mf
_add = mf.MetricFilters.add_filter
def add_filter(self, filter_name, filter_pattern, log_group_name, metric_transformations):
    self.metric_filters = [
        f for f in self.metric_filters
        if not (f["filterName"] == filter_name and f["logGroupName"] == log_group_name)
    ]
    _add(self, filter_name, filter_pattern, log_group_name, metric_transformations)
mf.MetricFilters.add_filter = add_filter
from moto.server import main
sys.exit(main(sys.argv[1:]))
"""


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def to_epoch(value):
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    raise ValueError(f"not a timestamp: {value!r}")


def to_cbor_value(value, shape):
    """JSON value -> CBOR-ready value typed by the botocore shape."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        return {k: to_cbor_value(v, shape.members.get(k)) for k, v in value.items()}
    if kind == "list":
        return [to_cbor_value(v, shape.member) for v in value]
    if kind == "map":
        return {k: to_cbor_value(v, shape.value) for k, v in value.items()}
    if kind == "timestamp":
        return cbor2.CBORTag(1, to_epoch(value))
    if kind in ("double", "float"):
        return float(value)
    if kind in ("integer", "long"):
        return int(value)
    if kind == "blob":
        return base64.b64decode(value)
    return value


def to_json_value(value):
    """Decoded CBOR request value -> JSON-ready value."""
    if isinstance(value, dict):
        return {k: to_json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json_value(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    return value


def make_handler(moto_url):
    class Translator(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, payload, extra=()):
            body = cbor2.dumps(payload)
            self.send_response(status)
            self.send_header("Content-Type", "application/cbor")
            self.send_header("smithy-protocol", "rpc-v2-cbor")
            for name, value in extra:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            match = PATH_RE.match(self.path)
            if not match:
                self.reply(404, {"__type": "UnknownOperationException", "message": self.path})
                return
            op = match.group(1)
            request = to_json_value(cbor2.loads(raw)) if raw else {}
            headers = {k: v for k, v in self.headers.items() if k.lower() in FORWARDED_HEADERS}
            headers["Content-Type"] = "application/x-amz-json-1.0"
            headers["X-Amz-Target"] = f"{TARGET_PREFIX}.{op}"
            forward = urllib.request.Request(
                moto_url + "/", data=json.dumps(request).encode(), headers=headers, method="POST"
            )
            try:
                with urllib.request.urlopen(forward, timeout=30) as resp:
                    status, text, resp_headers = resp.status, resp.read(), resp.headers
            except urllib.error.HTTPError as err:
                status, text, resp_headers = err.code, err.read(), err.headers
            try:
                data = json.loads(text) if text.strip() else {}
            except ValueError:
                data = {"__type": "InternalFailure", "message": text.decode("utf-8", "replace")[:500]}
            extra = [(k, v) for k, v in resp_headers.items() if k.lower() == "x-amzn-query-error"]
            if status >= 400:
                error = {"__type": str(data.get("__type", "InternalFailure")).split("#")[-1]}
                if "message" in data or "Message" in data:
                    error["message"] = data.get("message", data.get("Message"))
                self.reply(status, error, extra)
                return
            try:
                shape = MODEL.operation_model(op).output_shape
            except Exception:  # unknown operation: pass the JSON through untyped
                shape = None
            self.reply(status, to_cbor_value(data, shape), extra)

    return Translator


class Deny(BaseHTTPRequestHandler):
    """Access denied, in the protocol the SDK spoke."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        message = "User: arn:aws:iam::123456789012:user/auditor is not authorized to perform this action"
        extra = []
        scope = (self.headers.get("Authorization") or "").split("Credential=")[-1].split("/")
        service = scope[3] if len(scope) > 3 else ""
        if service == "ec2":
            # EC2's own query dialect: `Response/Errors/Error`, and the code EC2 gives.
            body = (
                "<Response><Errors><Error><Code>UnauthorizedOperation</Code>"
                f"<Message>{message}</Message></Error></Errors><RequestID>gsl-test</RequestID></Response>"
            ).encode()
            status, ctype = 403, "text/xml"
        elif kind.startswith("application/x-amz-json"):
            body = json.dumps({"__type": "AccessDeniedException", "message": message}).encode()
            status, ctype = 400, kind
        elif kind == "application/cbor":
            body = cbor2.dumps({"__type": "AccessDenied", "message": message})
            status, ctype = 403, "application/cbor"
            extra = [("smithy-protocol", "rpc-v2-cbor"), ("x-amzn-query-error", "AccessDenied;Sender")]
        else:
            body = (
                "<ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code>"
                f"<Message>{message}</Message></Error><RequestId>gsl-test</RequestId></ErrorResponse>"
            ).encode()
            status, ctype = 403, "text/xml"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def make_sts_gate(moto_url):
    """STS in front of moto that refuses AssumeRole of a role named `missing`, as AWS
    refuses a role that does not exist (moto assumes any ARN); the rest goes to moto."""

    class Gate(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            form = urllib.parse.parse_qs(raw.decode("utf-8", "replace"))
            role = form.get("RoleArn", [""])[0]
            if form.get("Action", [""])[0] == "AssumeRole" and role.endswith(":role/missing"):
                body = (
                    "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                    "<Message>User: arn:aws:iam::123456789012:user/moto is not authorized to perform: "
                    f"sts:AssumeRole on resource: {role}</Message></Error>"
                    "<RequestId>gsl-test</RequestId></ErrorResponse>"
                ).encode()
                status, ctype = 403, "text/xml"
            else:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                forward = urllib.request.Request(moto_url + self.path, data=raw, headers=headers, method="POST")
                try:
                    with urllib.request.urlopen(forward, timeout=30) as resp:
                        status, body, ctype = resp.status, resp.read(), resp.headers.get("Content-Type", "text/xml")
                except urllib.error.HTTPError as err:
                    status, body, ctype = err.code, err.read(), err.headers.get("Content-Type", "text/xml")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Gate


def wait_until_up(proc, port, deadline):
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/data.json", timeout=2):
                return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    return False


def python_of(moto_server):
    """The Python that runs `moto_server` (its shebang), else this one."""
    try:
        with open(moto_server, "rb") as f:
            first = f.readline().decode("utf-8", "replace").strip()
        if first.startswith("#!") and os.path.exists(first[2:].split()[0]):
            return first[2:].split()[0]
    except OSError:
        pass
    return sys.executable


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--moto-server", required=True)
    parser.add_argument("--log", default=None)
    parser.add_argument("--startup-seconds", type=float, default=90.0)
    args = parser.parse_args()

    log = open(args.log, "ab") if args.log else subprocess.DEVNULL
    moto = None
    moto_port = None
    for _attempt in range(3):
        moto_port = free_port()
        moto = subprocess.Popen(
            [python_of(args.moto_server), "-c", UPSERTING_MOTO, "-H", "127.0.0.1", "-p", str(moto_port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        if wait_until_up(moto, moto_port, time.monotonic() + args.startup_seconds):
            break
        moto.kill()
        moto.wait(timeout=10)
        moto = None
    if moto is None:
        print("FAILED moto_server did not start", flush=True)
        return 1

    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(f"http://127.0.0.1:{moto_port}"))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    deny = ThreadingHTTPServer(("127.0.0.1", 0), Deny)
    deny.daemon_threads = True
    threading.Thread(target=deny.serve_forever, daemon=True).start()
    gate = ThreadingHTTPServer(("127.0.0.1", 0), make_sts_gate(f"http://127.0.0.1:{moto_port}"))
    gate.daemon_threads = True
    threading.Thread(target=gate.serve_forever, daemon=True).start()
    print(
        f"READY {moto_port} {server.server_address[1]} {deny.server_address[1]} {gate.server_address[1]}",
        flush=True,
    )

    try:
        while sys.stdin.buffer.read(4096):
            pass
    except (OSError, KeyboardInterrupt):
        pass
    finally:
        server.shutdown()
        deny.shutdown()
        gate.shutdown()
        moto.terminate()
        try:
            moto.wait(timeout=10)
        except subprocess.TimeoutExpired:
            moto.kill()
            moto.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
