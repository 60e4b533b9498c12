#!/usr/bin/env python3
"""Writes the image fixtures of src/test/resources/images/ and, for each, what PIL makes of it.

For every fixture F the file F.pil.png holds Image.open(F).convert('RGB') as an 8-bit RGB PNG: the pixels the
authors' LLaVA loader trains on. org.mapd.model.ImageDecoderTest decodes F in Java and compares. Images are
tiny (40x24) so the whole folder stays a few kilobytes. Deterministic: a seeded picture, fixed encoder settings.
See tools/README.md.
"""
import argparse
import os
import random
import struct
import zlib

from PIL import Image

W, H = 40, 24  # not a multiple of 16: the right MCU column is partial, as in real 4:2:0 files


def picture():
    """Smooth gradients, hard edges and some seeded noise: every JPEG stage has something to get wrong."""
    rnd = random.Random(2506)
    im = Image.new("RGB", (W, H))
    px = im.load()
    for y in range(H):
        for x in range(W):
            r = 255 * x // (W - 1)
            g = 255 * y // (H - 1)
            b = 200 if (x // 8 + y // 6) % 2 else 30
            n = rnd.randint(-20, 20)
            px[x, y] = tuple(max(0, min(255, v + n)) for v in (r, g, b))
    return im


def cmyk_with_black(rgb):
    """CMYK with a real K channel (60 % under-colour removal); PIL's own convert('CMYK') always sets K = 0."""
    out = []
    for r, g, b in rgb.getdata():
        c, m, y = 255 - r, 255 - g, 255 - b
        k = min(c, m, y) * 3 // 5
        out.append((c - k, m - k, y - k, k))
    im = Image.new("CMYK", rgb.size)
    im.putdata(out)
    return im


def ycc(r, g, b):
    """JFIF RGB -> YCbCr, rounded and clipped."""
    clip = lambda v: max(0, min(255, int(round(v))))
    return (clip(0.299 * r + 0.587 * g + 0.114 * b),
            clip(-0.168736 * r - 0.331264 * g + 0.5 * b + 128),
            clip(0.5 * r - 0.418688 * g - 0.081312 * b + 128))


def write_ycck(cmyk, path):
    """An Adobe YCCK JPEG, which PIL cannot write: PIL writes CMYK components verbatim (inverted, Adobe
    convention) with an Adobe APP14 segment whose transform byte is 0. We hand it the YCCK components instead and
    set the transform byte to 2 (YCCK). libjpeg then decodes YCC -> RGB, takes 255 - RGB as CMY, K as stored;
    PIL inverts all four (CMYK;I). So for PIL to read CMYK (c, m, y, k) the stored components must be
    YCbCr(c, m, y) and 255 - k."""
    stored = [ycc(c, m, y) + (255 - k,) for c, m, y, k in cmyk.getdata()]
    carrier = Image.new("CMYK", cmyk.size)
    carrier.putdata([tuple(255 - v for v in s) for s in stored])  # PIL inverts again when it writes
    carrier.save(path, quality=95)
    data = bytearray(open(path, "rb").read())
    at = data.find(b"Adobe") - 4  # back to the APP14 marker, before its 2-byte length
    if at < 0 or data[at:at + 2] != b"\xff\xee":
        raise SystemExit("PIL wrote no Adobe APP14 segment; cannot make the YCCK fixture")
    # APP14: marker(2) length(2) 'Adobe'(5) version(2) flags0(2) flags1(2) transform(1)
    assert data[at + 15] == 0, "expected transform 0 (CMYK) from PIL"
    data[at + 15] = 2
    open(path, "wb").write(bytes(data))


def s15(v):
    return struct.pack(">i", int(round(v * 65536)))


def linear_rgb_profile():
    """A minimal ICC v2 display profile: sRGB primaries (D50-adapted) with gamma 1.0, i.e. linear light. Embedded
    in a JPEG it makes a colour-managing reader (TwelveMonkeys) convert linear -> sRGB, which brightens mid-tones;
    PIL ignores embedded profiles. Written by hand because Debian 12 ships no ICC files."""
    def xyz(x, y, z):
        return b"XYZ " + bytes(4) + s15(x) + s15(y) + s15(z)
    text = b"linear sRGB primaries\0"
    desc = (b"desc" + bytes(4) + struct.pack(">I", len(text)) + text + bytes(4) + bytes(4) + bytes(2) + bytes(1)
            + bytes(67))
    curve = b"curv" + bytes(4) + struct.pack(">I", 1) + struct.pack(">H", 0x0100) + bytes(2)  # gamma 1.0, padded
    tags = [(b"desc", desc), (b"wtpt", xyz(0.9642, 1.0, 0.8249)), (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
            (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)), (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    table = struct.pack(">I", len(tags))
    body = b""
    for sig, data in tags:
        data = data + bytes(-len(data) % 4)
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = 128 + len(table) + len(body)
    header = (struct.pack(">I", size) + bytes(4) + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ " + bytes(12)
              + b"acsp" + bytes(4) + bytes(4) + bytes(4) + bytes(4) + bytes(8) + struct.pack(">I", 0)
              + s15(0.9642) + s15(1.0) + s15(0.8249) + bytes(4))
    header += bytes(128 - len(header))
    return header + table + body


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def write_png(path, width, height, bit_depth, colour_type, rows):
    """A PNG PIL cannot write (16-bit RGB, 4-bit grey): rows are lists of samples, packed big-endian."""
    raw = bytearray()
    for row in rows:
        raw.append(0)  # filter: none
        if bit_depth == 16:
            for v in row:
                raw += struct.pack(">H", v)
        elif bit_depth == 8:
            raw += bytes(row)
        else:
            per = 8 // bit_depth
            for i in range(0, len(row), per):
                byte = 0
                for j in range(per):
                    v = row[i + j] if i + j < len(row) else 0
                    byte |= v << (8 - bit_depth * (j + 1))
                raw.append(byte)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(bytes(raw), 9))
                + png_chunk(b"IEND", b""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="src/test/resources/images")
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)
    rgb = picture()
    cmyk = cmyk_with_black(rgb)

    # JPEG: what ImageIO alone cannot read (CMYK, YCCK), and what it reads differently from PIL (grey).
    cmyk.save(p("cmyk.jpg"), quality=95)
    write_ycck(cmyk, p("ycck.jpg"))
    rgb.convert("L").save(p("gray.jpg"), quality=90)
    rgb.save(p("rgb.jpg"), quality=90)  # 4:2:0, baseline
    rgb.save(p("progressive.jpg"), quality=90, progressive=True)
    rgb.save(p("rgb_icc.jpg"), quality=90, icc_profile=linear_rgb_profile())  # PIL ignores the profile
    coarse = [300] * 64  # values above 255 force 16-bit quantisation tables (and SOF1)
    coarse[0] = 4
    rgb.save(p("qtable16.jpg"), qtables=[coarse, coarse], subsampling=0)

    # PNG: every colour type PIL's convert('RGB') treats in its own way.
    rgb.convert("L").save(p("gray.png"))
    # alpha from 0 (fully transparent: PIL keeps the colour underneath) to 255
    la = rgb.convert("LA")
    la.putalpha(Image.frombytes("L", rgb.size, bytes(255 * y // (H - 1) for y in range(H) for x in range(W))))
    la.save(p("gray_alpha.png"))
    rgba = rgb.convert("RGBA")
    rgba.putalpha(Image.frombytes("L", rgb.size, bytes(255 * x // (W - 1) for y in range(H) for x in range(W))))
    rgba.save(p("rgba.png"))
    pal = rgb.convert("P", palette=Image.ADAPTIVE, colors=16)
    pal.save(p("palette.png"), transparency=3, bits=4)  # 4-bit indices, index 3 transparent
    rgb.convert("1").save(p("bilevel.png"))
    g16 = Image.new("I;16", rgb.size)
    g16.putdata([v * 257 if v % 2 else v for v in rgb.convert("L").getdata()])  # some above 255, some below
    g16.save(p("gray16.png"))
    write_png(p("rgb16.png"), W, H, 16, 2,
              [[s << 8 | (x * 31 + y * 17) & 0xFF for x in range(W) for s in rgb.getpixel((x, y))]
               for y in range(H)])
    write_png(p("gray4.png"), W, H, 4, 0, [[rgb.convert("L").getpixel((x, y)) >> 4 for x in range(W)] for y in range(H)])
    # A PNG named .jpg, as some OCR-VQA downloads are: both PIL and ImageIO go by content.
    with open(p("rgb.png"), "wb") as f:
        rgb.save(f, format="PNG")
    os.replace(p("rgb.png"), p("png_named.jpg"))

    for name in sorted(os.listdir(out)):
        if name.endswith(".pil.png"):
            continue
        ref = Image.open(p(name))
        mode = ref.mode
        pixels = ref.convert("RGB")
        pixels.info.pop("transparency", None)  # else the reference PNG gets a tRNS chunk: only the RGB is wanted
        pixels.save(p(name + ".pil.png"))
        print(f"{name:18s} {os.path.getsize(p(name)):6d} bytes  PIL mode {mode}")


if __name__ == "__main__":
    main()
