#!/usr/bin/env python3
"""fleetsim: a deterministic, seeded fake AWS (Lambda, CloudWatch Logs and metrics,
X-Ray, SQS, STS, SSO, IMDS) speaking the real wire protocols on loopback.
Python 3 standard library only.  See README.md beside this file."""

import argparse
import asyncio
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from app import Sim  # noqa: E402
from clock import parse_now  # noqa: E402
from server import HttpServer  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(description="fleetsim: a fake AWS fleet on loopback")
    p.add_argument("--port", type=int, default=0, help="HTTP port (0 = pick a free one)")
    p.add_argument("--port-file", help="write the HTTP port (first token) to this file")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--functions", type=int, default=40)
    p.add_argument("--live", action="store_true", help="keep generating data in real time")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--tls-port", type=int, help="also serve HTTPS here (0 = pick)")
    p.add_argument("--tls-dir", help="where the throwaway CA and server cert are written")
    p.add_argument("--now", help="fix the clock: epoch seconds or ISO-8601")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--account", default="123456789012")
    p.add_argument("--faults", help="initial fault rules: JSON or @FILE")
    p.add_argument("--enforce-quotas", action="store_true")
    args = p.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        p.error("fleetsim only listens on loopback")
    if not 5 <= args.functions <= 10000:
        p.error("--functions must be 5..10000")
    args.now = parse_now(args.now)
    return args


def load_faults(spec):
    if not spec:
        return []
    text = open(spec[1:], encoding="utf-8").read() if spec.startswith("@") else spec
    doc = json.loads(text)
    return doc.get("rules", []) if isinstance(doc, dict) else doc


def make_certs(directory):
    """Throwaway CA + server certificate for 127.0.0.1/localhost, via the openssl CLI."""
    os.makedirs(directory, exist_ok=True)
    ca_key, ca = os.path.join(directory, "ca.key"), os.path.join(directory, "ca.pem")
    key, csr = os.path.join(directory, "server.key"), os.path.join(directory, "server.csr")
    crt, ext = os.path.join(directory, "server.pem"), os.path.join(directory, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:*.localhost\n"
                "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run = lambda *a: subprocess.run(["openssl"] + list(a), check=True,  # noqa: E731
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    run("req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "7",
        "-subj", "/CN=fleetsim throwaway CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
        "-out", crt, "-days", "7", "-extfile", ext)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(crt, key)
    return ctx, ca


def write_port_file(path, lines):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".fleetsim-port.", dir=d)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


async def main_async(args):
    sim = Sim(args)
    sim.faults.set_rules(load_faults(args.faults), args.seed)
    http = HttpServer(sim.handle, sim.decorate)
    server = await http.start(args.host, args.port)
    port = server.sockets[0].getsockname()[1]
    lines = ["%d" % port]
    out = ["fleetsim listening on http://%s:%d" % (args.host, port)]
    servers, https_servers = [server], [http]
    if args.tls_port is not None:
        tls_dir = args.tls_dir or tempfile.mkdtemp(prefix="fleetsim-tls.")
        ctx, ca = make_certs(tls_dir)
        https = HttpServer(sim.handle, sim.decorate, scheme="https")
        tls_server = await https.start(args.host, args.tls_port, ctx)
        tls_port = tls_server.sockets[0].getsockname()[1]
        servers.append(tls_server)
        https_servers.append(https)
        lines.append("https %d %s" % (tls_port, ca))
        out.append("https %d %s" % (tls_port, ca))
    if args.port_file:
        write_port_file(args.port_file, lines)
    if not args.quiet:
        print("\n".join(out), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    sim.start_background()
    await stop.wait()
    for s in servers:
        s.close()
    tasks = [t for h in https_servers for t in h.connections] + list(sim.background)
    for task in tasks:
        task.cancel()


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        asyncio.run(main_async(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
