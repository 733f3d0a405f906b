"""A small HTTP/1.1 server on asyncio streams: keep-alive, Content-Length and chunked
request bodies, optional gzip, streamed (chunked) responses, and the transport-level
faults (connection reset, truncated body)."""

import asyncio
import email.utils
import gzip
import socket
import struct
import urllib.parse

MAX_HEAD = 64 * 1024
MAX_BODY = 16 * 1024 * 1024
REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content",
           400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 409: "Conflict", 411: "Length Required",
           412: "Precondition Failed", 413: "Request Entity Too Large",
           415: "Unsupported Media Type", 429: "Too Many Requests",
           431: "Request Header Fields Too Large", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


class Request:
    __slots__ = ("method", "target", "path", "raw_query", "headers", "hmap", "body",
                 "peer", "scheme", "_query", "service", "op", "identity")

    def __init__(self, method, target, headers, body, peer, scheme):
        self.method = method
        self.target = target
        self.path, _, self.raw_query = target.partition("?")
        self.headers = headers
        self.hmap = {}
        for name, value in headers:
            low = name.lower()
            if low in self.hmap:
                self.hmap[low] += "," + value
            else:
                self.hmap[low] = value
        self.body = body
        self.peer = peer
        self.scheme = scheme
        self._query = None
        self.service = None
        self.op = None
        self.identity = None

    def header(self, name, default=None):
        return self.hmap.get(name, default)

    @property
    def query(self):
        """Decoded query: dict name -> list of values."""
        if self._query is None:
            self._query = urllib.parse.parse_qs(self.raw_query, keep_blank_values=True)
        return self._query

    def qget(self, name, default=None):
        v = self.query.get(name)
        return v[0] if v else default

    @property
    def host(self):
        return self.hmap.get("host") or "127.0.0.1"


class Response:
    """status, headers (list), body (bytes).  stream: an async iterator of byte chunks
    sent with chunked encoding.  fault: None | 'reset' | 'truncate'."""

    __slots__ = ("status", "headers", "body", "stream", "fault", "close")

    def __init__(self, status=200, body=b"", headers=None, stream=None):
        self.status = status
        self.headers = headers if headers is not None else []
        self.body = body
        self.stream = stream
        self.fault = None
        self.close = False

    def set_header(self, name, value):
        low = name.lower()
        self.headers = [(n, v) for n, v in self.headers if n.lower() != low]
        self.headers.append((name, value))

    def get_header(self, name):
        low = name.lower()
        for n, v in self.headers:
            if n.lower() == low:
                return v
        return None


class HttpError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


_date_cache = [None, ""]


def http_date(t):
    sec = int(t)
    if _date_cache[0] != sec:
        _date_cache[0] = sec
        _date_cache[1] = email.utils.formatdate(sec, usegmt=True)
    return _date_cache[1]


async def _read_head(reader):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.LimitOverrunError:
        raise HttpError(431, "request head too large")
    except asyncio.IncompleteReadError as e:
        if e.partial.strip():
            raise HttpError(400, "incomplete request head")
        return None
    return head


def _parse_head(head):
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpError(400, "bad request line")
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        if line[0] in " \t" and headers:
            n, v = headers[-1]
            headers[-1] = (n, v + " " + line.strip())
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise HttpError(400, "bad header line")
        headers.append((name, value.strip(" \t")))
    return parts[0], parts[1], parts[2], headers


async def _read_chunked(reader):
    body = bytearray()
    while True:
        line = await reader.readuntil(b"\r\n")
        try:
            size = int(line.split(b";")[0].strip(), 16)
        except ValueError:
            raise HttpError(400, "bad chunk size")
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return bytes(body)
        if len(body) + size > MAX_BODY:
            raise HttpError(413, "body too large")
        body += await reader.readexactly(size)
        await reader.readexactly(2)


async def _read_body(reader, hmap):
    te = hmap.get("transfer-encoding", "").lower()
    if "chunked" in te:
        return await _read_chunked(reader)
    length = hmap.get("content-length")
    if length is None:
        return b""
    try:
        n = int(length)
    except ValueError:
        raise HttpError(400, "bad content-length")
    if n < 0 or n > MAX_BODY:
        raise HttpError(413, "body too large")
    return await reader.readexactly(n) if n else b""


def _head_bytes(resp, length, keep_alive, chunked=False):
    out = ["HTTP/1.1 %d %s\r\n" % (resp.status, REASONS.get(resp.status, "Unknown"))]
    for n, v in resp.headers:
        out.append("%s: %s\r\n" % (n, v))
    if chunked:
        out.append("Transfer-Encoding: chunked\r\n")
    else:
        out.append("Content-Length: %d\r\n" % length)
    if not keep_alive:
        out.append("Connection: close\r\n")
    out.append("\r\n")
    return "".join(out).encode("latin-1")


def _maybe_gzip(req, resp):
    body = resp.body
    if (len(body) < 2048 or "gzip" not in req.hmap.get("accept-encoding", "")
            or resp.get_header("Content-Encoding")):
        return body
    resp.headers.append(("Content-Encoding", "gzip"))
    return gzip.compress(body, compresslevel=1)


def _abort(writer):
    """Closes with RST (SO_LINGER 0) so the client sees a connection reset."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


async def _send_stream(writer, resp, keep_alive):
    writer.write(_head_bytes(resp, 0, keep_alive, chunked=True))
    try:
        async for chunk in resp.stream:
            if chunk:
                writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
    finally:
        aclose = getattr(resp.stream, "aclose", None)
        if aclose:
            await aclose()


async def _send(writer, req, resp, keep_alive):
    """Returns False when the connection must be closed."""
    if resp.fault == "reset":
        _abort(writer)
        return False
    if resp.stream is not None:
        await _send_stream(writer, resp, keep_alive)
        return keep_alive
    body = _maybe_gzip(req, resp) if req.method != "HEAD" else b""
    if resp.fault == "truncate":
        writer.write(_head_bytes(resp, len(body), False) + body[:len(body) // 2])
        await writer.drain()
        _abort(writer)
        return False
    writer.write(_head_bytes(resp, len(body), keep_alive) + body)
    if writer.transport.get_write_buffer_size() > 256 * 1024:
        await writer.drain()
    return keep_alive


def _error_response(status, message):
    body = ('{"message":"%s"}' % message).encode()
    return Response(status, body, [("Content-Type", "application/json")])


class HttpServer:
    """handler: async callable(Request) -> Response.  decorate: callable(Request,
    Response) adding the common headers (Date, request id)."""

    def __init__(self, handler, decorate, scheme="http"):
        self.handler = handler
        self.decorate = decorate
        self.scheme = scheme
        self.connections = set()

    async def serve_connection(self, reader, writer):
        task = asyncio.current_task()
        self.connections.add(task)
        peer = writer.get_extra_info("peername")
        try:
            while await self._one(reader, writer, peer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self.connections.discard(task)
            try:
                writer.close()
            except Exception:
                pass

    async def _one(self, reader, writer, peer):
        try:
            head = await _read_head(reader)
            if head is None:
                return False
            method, target, version, headers = _parse_head(head)
            req = Request(method, target, headers, b"", peer, self.scheme)
            if req.hmap.get("expect", "").lower() == "100-continue":
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            req.body = await _read_body(reader, req.hmap)
        except HttpError as e:
            resp = _error_response(e.status, str(e))
            self.decorate(None, resp)
            writer.write(_head_bytes(resp, len(resp.body), False) + resp.body)
            await writer.drain()
            return False
        conn = req.hmap.get("connection", "").lower()
        keep_alive = conn != "close" and (version == "HTTP/1.1" or conn == "keep-alive")
        resp = await self.handler(req)
        self.decorate(req, resp)
        if resp.close:
            keep_alive = False
        return await _send(writer, req, resp, keep_alive)

    async def start(self, host, port, ssl_ctx=None):
        return await asyncio.start_server(self.serve_connection, host, port, ssl=ssl_ctx,
                                          limit=MAX_HEAD, reuse_address=True, backlog=512)
