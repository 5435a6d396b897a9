"""Reading QR codes back in tests: from a badge PDF's drawing, from an inline SVG, and a
small decoder (ISO/IEC 18004, byte mode, error level M up to version 10) that checks the
Reed-Solomon blocks, so a test proves what a phone camera would read.

No QR decoder package is used: the decoder is independent of segno, which wrote the code.
"""

from __future__ import annotations

import re

from pypdf import PdfReader
from pypdf.generic import ContentStream

# Version -> (EC codewords per block, [(blocks, data codewords per block), ...]), level M.
BLOCKS_M = {
    1: (10, [(1, 16)]),
    2: (16, [(1, 28)]),
    3: (26, [(1, 44)]),
    4: (18, [(2, 32)]),
    5: (24, [(2, 43)]),
    6: (16, [(4, 27)]),
    7: (18, [(4, 31)]),
    8: (22, [(2, 38), (2, 39)]),
    9: (22, [(3, 36), (2, 37)]),
    10: (26, [(4, 43), (1, 44)]),
}
ALIGNMENT = {
    2: [6, 18],
    3: [6, 22],
    4: [6, 26],
    5: [6, 30],
    6: [6, 34],
    7: [6, 22, 38],
    8: [6, 24, 42],
    9: [6, 26, 46],
    10: [6, 28, 50],
}
MASKS = [
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
]
LEVELS = {0b01: "L", 0b00: "M", 0b11: "Q", 0b10: "H"}


class QRError(ValueError):
    pass


def _format_codes() -> dict[int, tuple[str, int]]:
    codes = {}
    for data in range(32):
        value = data << 10
        for bit in range(14, 9, -1):
            if value & (1 << bit):
                value ^= 0x537 << (bit - 10)
        codes[((data << 10) | value) ^ 0x5412] = (LEVELS[data >> 3], data & 7)
    return codes


FORMAT_CODES = _format_codes()


def _gf_tables():
    exp, log = [0] * 512, [0] * 256
    x = 1
    for i in range(255):
        exp[i], log[x] = x, i
        x <<= 1
        if x & 0x100:
            x ^= 0x11D
    for i in range(255, 512):
        exp[i] = exp[i - 255]
    return exp, log


EXP, LOG = _gf_tables()


def _syndromes_zero(block: list[int], ec: int) -> bool:
    for k in range(ec):
        value = 0
        for byte in block:
            value = (EXP[LOG[value] + k] if value else 0) ^ byte
        if value:
            return False
    return True


def decode(matrix: list[list[bool]]) -> str:
    """The text of a QR code given as rows of dark (True) modules, without the quiet zone."""
    n = len(matrix)
    version = (n - 17) // 4
    if n != 17 + 4 * version or any(len(row) != n for row in matrix):
        raise QRError(f"not a QR code matrix: {n} rows")
    bits = 0
    coords = [(8, c) for c in range(6)] + [(8, 7), (8, 8), (7, 8)]
    coords += [(r, 8) for r in range(5, -1, -1)]
    for r, c in coords:
        bits = (bits << 1) | int(matrix[r][c])
    if bits not in FORMAT_CODES:
        raise QRError("unreadable format information")
    level, mask = FORMAT_CODES[bits]
    if level != "M" or version not in BLOCKS_M:
        raise QRError(f"this reader knows level M up to version 10, not {level}{version}")

    function = [[False] * n for _ in range(n)]

    def region(top: int, left: int, height: int, width: int) -> None:
        for r in range(top, top + height):
            for c in range(left, left + width):
                function[r][c] = True

    region(0, 0, 9, 9)
    region(0, n - 8, 9, 8)
    region(n - 8, 0, 8, 9)
    region(6, 9, 1, n - 17)
    region(9, 6, n - 17, 1)
    centers = ALIGNMENT.get(version, [])
    last = len(centers) - 1
    for a, row in enumerate(centers):
        for b, col in enumerate(centers):
            if (a, b) in ((0, 0), (0, last), (last, 0)):
                continue
            region(row - 2, col - 2, 5, 5)
    if version >= 7:
        region(0, n - 11, 6, 3)
        region(n - 11, 0, 3, 6)

    codewords, byte, count, upward = [], 0, 0, True
    col = n - 1
    while col > 0:
        if col == 6:
            col -= 1
        for k in range(n):
            row = n - 1 - k if upward else k
            for c in (col, col - 1):
                if function[row][c]:
                    continue
                dark = matrix[row][c] ^ MASKS[mask](row, c)
                byte = (byte << 1) | int(dark)
                count += 1
                if count == 8:
                    codewords.append(byte)
                    byte = count = 0
        upward = not upward
        col -= 2

    ec, groups = BLOCKS_M[version]
    sizes = [size for blocks, size in groups for _ in range(blocks)]
    data_blocks: list[list[int]] = [[] for _ in sizes]
    pos = 0
    for i in range(max(sizes)):
        for b, size in enumerate(sizes):
            if i < size:
                data_blocks[b].append(codewords[pos])
                pos += 1
    ec_blocks: list[list[int]] = [[] for _ in sizes]
    for _i in range(ec):
        for b in range(len(sizes)):
            ec_blocks[b].append(codewords[pos])
            pos += 1
    for data, check in zip(data_blocks, ec_blocks, strict=True):
        if not _syndromes_zero(data + check, ec):
            raise QRError("error correction does not check out")

    stream = "".join(f"{b:08b}" for block in data_blocks for b in block)
    if stream[:4] != "0100":
        raise QRError(f"not byte mode: {stream[:4]}")
    length_bits = 8 if version < 10 else 16
    length = int(stream[4 : 4 + length_bits], 2)
    start = 4 + length_bits
    payload = bytes(int(stream[start + 8 * i : start + 8 * i + 8], 2) for i in range(length))
    return payload.decode("utf-8")


def _strip(matrix: list[list[bool]]) -> list[list[bool]]:
    """Drop the white quiet zone around the code."""
    rows = [i for i, row in enumerate(matrix) if any(row)]
    cols = [j for j in range(len(matrix[0])) if any(row[j] for row in matrix)]
    return [row[cols[0] : cols[-1] + 1] for row in matrix[rows[0] : rows[-1] + 1]]


def matrix_from_svg(svg: str) -> list[list[bool]]:
    """The modules of segno's inline SVG: one path of horizontal strokes, row centres at .5."""
    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1))
    path = re.findall(r'<path[^>]*stroke="#000"[^>]*d="([^"]+)"', svg)[0]
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:[ ,](-?[\d.]+))?", path):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for c in range(round(x), round(x + float(a))):
                grid[int(y)][c] = True
            x += float(a)
    return _strip(grid)


def matrix_from_pdf(data: bytes, page_number: int = 0, which: int = 0) -> list[list[bool]]:
    """The modules of the `which`-th QR code drawn on a page: a white square, then black
    rectangles of whole modules inside it (how badges.py draws them)."""
    import io

    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[page_number]
    ops = ContentStream(page.get_contents(), reader).operations
    fill, pending, squares, dark = None, [], [], []
    for operands, op in ops:
        if op == b"rg":
            fill = tuple(round(float(v), 3) for v in operands)
        elif op == b"g":
            fill = (round(float(operands[0]), 3),) * 3
        elif op == b"re":
            pending.append(tuple(float(v) for v in operands))
        elif op in (b"f", b"f*", b"B", b"b"):
            for x, y, w, h in pending:
                if fill == (1.0, 1.0, 1.0) and abs(w - h) < 0.01 and w > 20:
                    squares.append((x, y, w))
                elif fill == (0.0, 0.0, 0.0):
                    dark.append((x, y, w, h))
            pending = []
        elif op == b"n":
            pending = []
    x0, y0, size = squares[which]
    inside = [r for r in dark if x0 - 0.01 <= r[0] < x0 + size and y0 - 0.01 <= r[1] < y0 + size]
    unit = min(h for _x, _y, _w, h in inside)
    modules = round(size / unit)
    grid = [[False] * modules for _ in range(modules)]
    for x, y, w, h in inside:
        row = round((y0 + size - y - h) / unit)
        first = round((x - x0) / unit)
        for c in range(first, first + round(w / unit)):
            grid[row][c] = True
    return _strip(grid)


def pdf_text(data: bytes) -> str:
    import io

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
