"""vnd.amazon.eventstream framing (prelude, headers, payload, two CRC-32s)."""

import json
import struct
import zlib


def _header(name, value):
    n = name.encode()
    v = value.encode()
    return struct.pack(">B", len(n)) + n + struct.pack(">BH", 7, len(v)) + v


def frame(headers, payload):
    """headers: list of (name, string value); payload: bytes."""
    hb = b"".join(_header(k, v) for k, v in headers)
    total = 16 + len(hb) + len(payload)
    prelude = struct.pack(">II", total, len(hb))
    prelude += struct.pack(">I", zlib.crc32(prelude) & 0xFFFFFFFF)
    msg = prelude + hb + payload
    return msg + struct.pack(">I", zlib.crc32(msg) & 0xFFFFFFFF)


def event(event_type, doc):
    return frame([(":message-type", "event"), (":event-type", event_type),
                  (":content-type", "application/json")],
                 json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
                 .encode("utf-8", "surrogateescape"))


def exception(exc_type, message):
    return frame([(":message-type", "exception"), (":exception-type", exc_type),
                  (":content-type", "application/json")],
                 json.dumps({"message": message}).encode())


def decode(buf):
    """Splits bytes into [(headers dict, payload)]; raises ValueError on bad CRCs."""
    out = []
    pos = 0
    while pos + 16 <= len(buf):
        total, hlen, pcrc = struct.unpack(">III", buf[pos:pos + 12])
        if zlib.crc32(buf[pos:pos + 8]) & 0xFFFFFFFF != pcrc or pos + total > len(buf):
            raise ValueError("bad prelude")
        msg = buf[pos:pos + total]
        if zlib.crc32(msg[:-4]) & 0xFFFFFFFF != struct.unpack(">I", msg[-4:])[0]:
            raise ValueError("bad message crc")
        headers, h = {}, 12
        while h < 12 + hlen:
            nl = msg[h]
            name = msg[h + 1:h + 1 + nl].decode()
            h += 1 + nl
            vtype = msg[h]
            if vtype != 7:
                raise ValueError("unsupported header type %d" % vtype)
            vl = struct.unpack(">H", msg[h + 1:h + 3])[0]
            headers[name] = msg[h + 3:h + 3 + vl].decode()
            h += 3 + vl
        out.append((headers, msg[12 + hlen:-4]))
        pos += total
    return out
