"""W3C Bitstring Status List v1.0: the bitstring, its encoding, and entry positions.

Index 0 is the left-most (most significant) bit of the first byte. The encoded list is the
GZIP-compressed bitstring, base64url without padding, with the multibase prefix ``u``.
"""

import base64
import gzip
import io
import secrets


class EncodedListError(ValueError):
    """An encoded status list that cannot be decoded."""


def empty_bits(size: int) -> bytes:
    if size % 8:
        raise ValueError("a status list size must be a multiple of 8")
    return bytes(size // 8)


def get_bit(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise IndexError(f"status index {index} is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def set_bit(bits: bytes, index: int, value: bool) -> bytes:
    if not 0 <= index < len(bits) * 8:
        raise IndexError(f"status index {index} is outside the list")
    changed = bytearray(bits)
    mask = 0x80 >> (index % 8)
    if value:
        changed[index // 8] |= mask
    else:
        changed[index // 8] &= ~mask & 0xFF
    return bytes(changed)


def encode(bits: bytes) -> str:
    # mtime=0 keeps the encoding a pure function of the bits.
    compressed = gzip.compress(bits, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode(encoded: str, *, max_bytes: int = 16 * 1024 * 1024) -> bytes:
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise EncodedListError("the encoded list must be base64url with the multibase prefix 'u'")
    body = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as stream:
            bits = stream.read(max_bytes + 1)
    except (ValueError, OSError, EOFError) as error:
        raise EncodedListError(f"the encoded list is not GZIP in base64url: {error}") from error
    if len(bits) > max_bytes:
        raise EncodedListError("the encoded list is too large")
    return bits


def new_permutation(size: int) -> tuple[int, int]:
    """A random bijection ``n -> (multiplier * n + offset) mod size`` over a power-of-two
    list: an odd multiplier is coprime with the size, so positions never repeat."""
    if size & (size - 1):
        raise ValueError("the list size must be a power of two")
    return secrets.randbelow(size // 2) * 2 + 1, secrets.randbelow(size)


def position(n: int, *, multiplier: int, offset: int, size: int) -> int:
    return (multiplier * n + offset) % size
