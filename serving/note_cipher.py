"""Encryption of note text at rest, with a key file kept outside the database.

A stolen database file alone does not reveal any note. The key file is created on first
use with mode 0600; losing it makes stored notes unreadable, which is the point of
keeping it apart.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

__all__ = ["NoteCipher"]


class NoteCipher:
    """Fernet (AES-128-CBC + HMAC-SHA256) encryption of notes with a key from ``key_file``."""

    def __init__(self, *, key_file: Path) -> None:
        self.key_file = Path(key_file)
        self._fernet = Fernet(self._load_or_create_key())

    def _load_or_create_key(self) -> bytes:
        if not self.key_file.exists():
            self.key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            key = Fernet.generate_key()
            try:
                fd = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another worker created it first: use theirs
            else:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(key)
                    handle.flush()
                    os.fsync(handle.fileno())
                return key
        key = self.key_file.read_bytes().strip()
        try:
            Fernet(key)
        except ValueError as error:
            raise ValueError(f"note key file {self.key_file} does not hold a Fernet key") from error
        return key

    def encrypt(self, note: str) -> bytes:
        return self._fernet.encrypt(note.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken as error:
            raise ValueError("note cannot be decrypted with this key file") from error
