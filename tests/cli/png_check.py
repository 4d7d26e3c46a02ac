#!/usr/bin/env python3
"""png_check.py - is a screenshot blank?  Decodes a PNG with the standard
library only (8-bit greyscale, RGB or RGBA, not interlaced: what Chromium
writes) and checks that enough pixels differ from the background and that
the picture has colours (the charts), not just one grey.

usage: png_check.py SHOT.png [MIN_INK_PERCENT] [MIN_COLOURS]
Prints "WxH, ink N%, C colours"; exits 1 when the picture is blank.
"""
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("png_check: %s is not a PNG" % path)
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, inter = struct.unpack(">IIBBBBB", body)
            if depth != 8 or inter or ctype not in (0, 2, 6):
                sys.exit("png_check: unsupported PNG (depth %d, type %d)"
                         % (depth, ctype))
            bpp = {0: 1, 2: 3, 6: 4}[ctype]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def main():
    path = sys.argv[1]
    min_ink = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
    min_colours = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    w, h, bpp, rows = decode(path)
    bg = bytes(rows[0][:min(bpp, 3)])
    ink, colours = 0, set()
    for line in rows[::2]:                  # every other row is plenty
        for x in range(0, w * bpp, bpp * 2):
            px = bytes(line[x:x + min(bpp, 3)])
            if px != bg:
                ink += 1
            if len(colours) < 10000:
                colours.add(px)
    total = ((h + 1) // 2) * ((w + 1) // 2)
    pct = 100.0 * ink / total
    print("%dx%d, ink %.1f%%, %d colours" % (w, h, pct, len(colours)))
    if pct < min_ink or len(colours) < min_colours:
        print("png_check: %s looks blank" % path)
        sys.exit(1)


if __name__ == "__main__":
    main()
