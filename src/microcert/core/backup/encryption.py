"""Passphrase encryption of a whole backup archive, as a stream of authenticated chunks.

The key comes from the passphrase through scrypt; every chunk is sealed with AES-256-GCM.
The nonce of a chunk holds its position and whether it is the last one, so chunks cannot be
reordered, dropped or appended, and an archive cut short is noticed (no chunk said "last").
The header (format, salt, scrypt cost, nonce prefix) is authenticated with every chunk.

Layout::

    MAGIC | version (1) | salt (16) | log2 N, r, p (1 each) | nonce prefix (7) | check (16)
    then chunks: length (4, big-endian; top bit = last chunk) | ciphertext with its tag

``check`` is an HMAC of the header under a second key derived from the passphrase: a wrong
passphrase is told apart from a damaged archive before anything is decrypted.
"""

import hmac
import io
import os
import struct
from hashlib import sha256
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .errors import BackupRefused

MAGIC = b"MICROCERT-BACKUP-AESGCM\n"
VERSION = 1
CHUNK_BYTES = 1024 * 1024
TAG_BYTES = 16
SALT_BYTES = 16
NONCE_PREFIX_BYTES = 7
CHECK_BYTES = 16
# scrypt cost: 128 MiB and about a third of a second here; a backup is made once a night.
SCRYPT_LOG2_N = 17
SCRYPT_R = 8
SCRYPT_P = 1
_LAST = 0x8000_0000
_HEADER_BODY = struct.Struct(f">B{SALT_BYTES}sBBB{NONCE_PREFIX_BYTES}s")


class WrongPassphrase(BackupRefused):
    pass


class DamagedArchive(BackupRefused):
    pass


def is_encrypted(head: bytes) -> bool:
    return head.startswith(MAGIC)


def _keys(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> tuple[bytes, bytes]:
    material = Scrypt(salt=salt, length=64, n=2**log2_n, r=r, p=p).derive(
        passphrase.encode("utf-8")
    )
    return material[:32], material[32:]


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


class EncryptingWriter(io.RawIOBase):
    """A write-only stream that encrypts what is written to ``sink`` in chunks; ``close()``
    seals the last chunk (it does not close ``sink``)."""

    def __init__(self, sink: BinaryIO, passphrase: str) -> None:
        super().__init__()
        if not passphrase:
            raise ValueError("an empty passphrase protects nothing")
        self._sink = sink
        salt = os.urandom(SALT_BYTES)
        self._prefix = os.urandom(NONCE_PREFIX_BYTES)
        key, check_key = _keys(passphrase, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
        body = MAGIC + _HEADER_BODY.pack(
            VERSION, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P, self._prefix
        )
        self._header = body + hmac.new(check_key, body, sha256).digest()[:CHECK_BYTES]
        self._aead = AESGCM(key)
        self._buffer = bytearray()
        self._counter = 0
        sink.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self._buffer += data
        while len(self._buffer) > CHUNK_BYTES:
            self._seal(bytes(self._buffer[:CHUNK_BYTES]), last=False)
            del self._buffer[:CHUNK_BYTES]
        return len(data)

    def _seal(self, plaintext: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(
            _nonce(self._prefix, self._counter, last), plaintext, self._header
        )
        self._sink.write(struct.pack(">I", len(sealed) | (_LAST if last else 0)) + sealed)
        self._counter += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()


class DecryptingReader(io.RawIOBase):
    """A read-only stream of the plaintext of an encrypted archive. Raises ``WrongPassphrase``
    when it is opened with the wrong passphrase and ``DamagedArchive`` as soon as a chunk is
    altered, missing or in the wrong place, or the archive ends before its last chunk."""

    def __init__(self, source: BinaryIO, passphrase: str) -> None:
        super().__init__()
        self._source = source
        magic = source.read(len(MAGIC))
        if magic != MAGIC:
            raise DamagedArchive("This is not an encrypted microcert backup.")
        body = source.read(_HEADER_BODY.size)
        check = source.read(CHECK_BYTES)
        if len(body) != _HEADER_BODY.size or len(check) != CHECK_BYTES:
            raise DamagedArchive("The archive ends inside its header: it is truncated.")
        version, salt, log2_n, r, p, self._prefix = _HEADER_BODY.unpack(body)
        if version != VERSION:
            raise DamagedArchive(
                f"The archive is encrypted in format {version}; this code reads {VERSION}."
            )
        if not (10 <= log2_n <= 22 and 1 <= r <= 32 and 1 <= p <= 16):
            raise DamagedArchive("The archive's key-derivation settings are out of range.")
        key, check_key = _keys(passphrase, salt, log2_n, r, p)
        header = magic + body
        if not hmac.compare_digest(
            hmac.new(check_key, header, sha256).digest()[:CHECK_BYTES], check
        ):
            raise WrongPassphrase("The passphrase is wrong (or the archive's header was altered).")
        self._header = header + check
        self._aead = AESGCM(key)
        self._counter = 0
        self._pending = memoryview(b"")
        self._finished = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bytes:
        length_bytes = self._source.read(4)
        if len(length_bytes) < 4:
            raise DamagedArchive("The archive ends before its last chunk: it is truncated.")
        (length,) = struct.unpack(">I", length_bytes)
        last = bool(length & _LAST)
        length &= ~_LAST
        if length > CHUNK_BYTES + TAG_BYTES:
            raise DamagedArchive("A chunk of the archive has an impossible length.")
        sealed = self._source.read(length)
        if len(sealed) < length:
            raise DamagedArchive("The archive ends inside a chunk: it is truncated.")
        try:
            plaintext = self._aead.decrypt(
                _nonce(self._prefix, self._counter, last), sealed, self._header
            )
        except InvalidTag as error:
            raise DamagedArchive(
                f"Chunk {self._counter + 1} of the archive was altered or damaged."
            ) from error
        self._counter += 1
        if last:
            self._finished = True
            if self._source.read(1):
                raise DamagedArchive("Something was appended after the archive's last chunk.")
        return plaintext

    def readinto(self, target) -> int:  # type: ignore[override]
        while not self._pending and not self._finished:
            self._pending = memoryview(self._next_chunk())
        size = min(len(target), len(self._pending))
        target[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def read_to_end(self) -> None:
        """Read (and so authenticate) whatever is left, up to the last chunk."""
        while not self._finished:
            self._next_chunk()
        self._pending = memoryview(b"")


MIN_PASSPHRASE_CHARS = 12


def passphrase_from_environment(variable: str, *, new: bool) -> str:
    """The passphrase held by an environment variable (never a command-line argument, which
    other users of the machine can read in the process list). ``new``: it is about to
    protect an archive, so a short one is refused."""
    passphrase = os.environ.get(variable, "")
    if not passphrase:
        raise BackupRefused(f"The environment variable {variable} is not set or is empty.")
    if new and len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise BackupRefused(
            f"The passphrase in {variable} is shorter than {MIN_PASSPHRASE_CHARS} characters; "
            "choose a longer one."
        )
    return passphrase
