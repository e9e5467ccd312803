"""Taxpayer identification numbers at rest: encrypted, hashed with a key, masked.

- Encryption is Fernet (AES-128-CBC with an HMAC-SHA256 tag: authenticated, so a changed
  ciphertext is refused, not decrypted to garbage) through ``MultiFernet``: the first key of
  ``settings.TIN_KEYS`` encrypts, every key listed decrypts, so keys rotate by putting a new one
  first and running ``handoff manage rotate_tin_keys``.
- The duplicate check uses HMAC-SHA256 under ``settings.TIN_HASH_KEY``: equal TINs give equal
  hashes, but without the key a hash cannot be matched against the billion possible TINs.
- A signed form's scan shows the full TIN, so it is kept encrypted the same way (the same key
  ring; ``rotate_tin_keys`` re-encrypts the files too, and encrypts any stored before this).
- Nothing here puts a TIN into an exception message: errors name the field, never its value.
"""

import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.us import ein as stdnum_ein
from stdnum.us import ssn as stdnum_ssn

from handoff.compliance.choices import TinType

NOT_CONFIGURED = (
    "TINs cannot be stored or read: HANDOFF_TIN_KEYS is not set. See docs/compliance.md, "
    "'TIN keys'."
)


def _fernet() -> MultiFernet:
    keys = list(settings.TIN_KEYS)
    if not keys:
        raise ImproperlyConfigured(NOT_CONFIGURED)
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "HANDOFF_TIN_KEYS holds a value that is not a Fernet key (32 bytes, URL-safe "
            "base64); see docs/compliance.md."
        ) from None


def _hash_key() -> bytes:
    if not settings.TIN_HASH_KEY:
        raise ImproperlyConfigured(
            "HANDOFF_TIN_HASH_KEY is not set; see docs/compliance.md, 'TIN keys'."
        )
    return settings.TIN_HASH_KEY.encode()


# The fourth and fifth digits of the ITINs the IRS issues: 50–65, 70–88, 90–92 and 94–99 (93 is
# an ATIN). IRS, "Individual Taxpayer Identification Number (ITIN)"; Publication 1346. The
# table in python-stdnum 2.2 (70–99 less 89 and 93) refuses real ITINs in 50–65, so ITINs are
# checked against the IRS's own list here; SSNs and EINs are python-stdnum's.
ITIN_GROUPS = frozenset((*range(50, 66), *range(70, 89), *range(90, 93), *range(94, 100)))


def normalize(tin_type: str, raw: str, field: str = "tin") -> str:
    """The nine digits of a possible TIN, typed with or without dashes or spaces. A number
    the IRS or SSA could not have issued is a field error with the reason; no error repeats
    what was typed."""
    digits = re.sub(r"[\s-]", "", raw or "")
    if not re.fullmatch(r"\d{9}", digits):
        raise ValidationError({field: "Enter the nine digits of the TIN (dashes are optional)."})
    if is_test_number(tin_type, digits):
        if settings.TIN_ACCEPT_TEST_NUMBERS:
            return digits
        raise ValidationError(
            {
                field: "This number is from a range that is never issued (kept for tests and "
                "demonstrations); enter the payee's real TIN."
            }
        )
    reason = why_impossible(tin_type, digits)
    if reason:
        raise ValidationError({field: reason})
    return digits


def is_test_number(tin_type: str, digits: str) -> bool:
    """A number from the never-issued ranges that tests and the demo use (domain notes, 'Test
    TINs'): an SSN or ITIN with group 00, an EIN with prefix 00."""
    if tin_type == TinType.EIN:
        return digits.startswith("00")
    return digits[3:5] == "00"


def why_impossible(tin_type: str, digits: str) -> str | None:
    """Why nine digits cannot be a TIN of this type, or None if they can."""
    if tin_type == TinType.EIN:
        try:
            stdnum_ein.validate(digits)
        except StdnumError:
            return (
                f"No EIN starts with {digits[:2]}: the IRS has not given that prefix to any "
                "of its campuses. Check the number on the payee's IRS letter."
            )
        return None
    if tin_type == TinType.ITIN:
        if not digits.startswith("9"):
            return "An ITIN starts with 9; check the TIN type."
        if int(digits[3:5]) not in ITIN_GROUPS:
            return (
                "An ITIN's fourth and fifth digits are 50–65, 70–88, 90–92 or 94–99; this "
                "number is not one the IRS issues."
            )
        return None
    try:
        stdnum_ssn.validate(digits)
    except StdnumError:
        return _ssn_reason(digits)
    return None


def _ssn_reason(digits: str) -> str:
    if digits.startswith("9"):
        return "An SSN never starts with 9 (those are ITINs); check the TIN type."
    if digits[:3] in ("000", "666"):
        return f"No SSN starts with {digits[:3]}."
    if digits[3:5] == "00":
        return "An SSN's fourth and fifth digits are never 00."
    if digits[5:] == "0000":
        return "An SSN's last four digits are never 0000."
    return "This SSN was voided by the Social Security Administration; ask for the real one."


def formatted(tin_type: str, digits: str) -> str:
    if tin_type == TinType.EIN:
        return f"{digits[:2]}-{digits[2:]}"
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def encrypt(digits: str) -> str:
    return _fernet().encrypt(digits.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored TIN cannot be decrypted with the keys in HANDOFF_TIN_KEYS: an old key "
            "was removed before rotation finished, or the row was altered."
        ) from None


def rotate(token: str) -> str:
    """The same TIN encrypted under the newest key."""
    return _fernet().rotate(token.encode()).decode()


# Every Fernet token starts with its version byte 0x80 and a timestamp whose high bytes are
# zero: "gAAAAA" in URL-safe base64. A PDF, PNG or JPEG never does.
_TOKEN_START = b"gAAAAA"


def encrypt_file(content: bytes) -> bytes:
    return _fernet().encrypt(content)


def is_encrypted_file(data: bytes) -> bool:
    return data.startswith(_TOKEN_START)


def decrypt_file(data: bytes) -> bytes:
    """The file's content; one stored before files were encrypted is returned as it is."""
    if not is_encrypted_file(data):
        return data
    try:
        return _fernet().decrypt(data)
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored W-9 document cannot be decrypted with the keys in HANDOFF_TIN_KEYS: an "
            "old key was removed before rotation finished, or the file was altered."
        ) from None


def rotate_file(data: bytes) -> bytes:
    """The file encrypted under the newest key (encrypted for the first time if it was not)."""
    return _fernet().rotate(data) if is_encrypted_file(data) else encrypt_file(data)


def fingerprint(digits: str) -> str:
    return hmac.new(_hash_key(), digits.encode(), hashlib.sha256).hexdigest()


def configured() -> bool:
    return bool(settings.TIN_KEYS) and bool(settings.TIN_HASH_KEY)


def check_archive(archive) -> str | None:
    """Why a backup's W-9s could not be read here, or None: restore refuses an archive whose
    TINs (and W-9 scans, under the same keys) this installation's keys do not open, rather than
    restore numbers nobody can read. Registered in ``core.backup.RESTORE_CHECKS``."""
    rows = archive.rows("compliance.w9")
    if not rows:
        return None
    if not configured():
        return (
            "The archive holds W-9s, but this installation has no TIN keys: set "
            "HANDOFF_TIN_KEYS and HANDOFF_TIN_HASH_KEY to those of the installation the backup "
            "came from (docs/compliance.md, 'TIN keys'), then restore."
        )
    for row in rows:
        fields = row["fields"]
        try:
            digits = _fernet().decrypt(str(fields.get("tin_encrypted", "")).encode()).decode()
        except InvalidToken:
            return (
                "The archive's TINs were encrypted with a key this installation does not hold: "
                "add the key of the installation the backup came from to HANDOFF_TIN_KEYS "
                "(docs/compliance.md, 'TIN keys'), then restore."
            )
        if not hmac.compare_digest(fingerprint(digits), str(fields.get("tin_hash", ""))):
            return (
                "The archive's TIN hashes were made with another HANDOFF_TIN_HASH_KEY: set it to "
                "that of the installation the backup came from, then restore."
            )
    return None
