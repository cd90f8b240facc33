"""The consistent identifier (the NHS number, Children's Wellbeing and Schools Act 2026 s16LC) and the other
identifiers a person may carry, checked with python-stdnum (``stdnum.gb.nhs``, ``stdnum.gb.upn``).

The NHS number is 10 digits, the tenth a Modulus 11 check digit (NHS Data Dictionary, "NHS NUMBER"; restated in
``../shared/standards/nhs-number/``). Passing the check shows the number is well formed, not that it was issued to
this person: only a trace (PDS) verifies that, which is why a person's number also carries a verification status.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_errors
from stdnum.gb import nhs, upn


def nhs_number_clean(value: str) -> str:
    """The NHS number as stored (10 digits, spaces and dashes removed), or "" for none. Raises ValidationError
    with a message for the person at the screen when the number is not well formed."""
    shown = " ".join(value.split())
    if not shown:
        return ""
    try:
        return nhs.validate(value)
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            f'"{shown}" is not a valid NHS number: the last digit does not match the check digit of the first '
            "nine. Check it was copied correctly.", code="nhs_number_check_digit") from None
    except stdnum_errors.ValidationError:
        raise ValidationError(f'"{shown}" is not an NHS number: an NHS number is 10 digits, like 943 476 5919.',
                              code="nhs_number_format") from None


def nhs_number_display(value: str) -> str:
    """``9434765919`` → ``943 476 5919``, as the NHS shows it."""
    return nhs.format(value) if value else ""


def upn_clean(value: str) -> str:
    """A unique pupil number (13 characters, a check letter first), upper case; ValidationError when not one."""
    try:
        return upn.validate(value)
    except stdnum_errors.ValidationError:
        raise ValidationError(f'"{value.strip()}" is not a unique pupil number: 13 characters, a check letter '
                              "then 12 digits (the 12th may be a letter).", code="upn") from None


# HMRC National Insurance Manual NIM39110: two prefix letters (neither D, F, I, Q, U or V; the second not O; BG,
# GB, KN, NK, NT, TN and ZZ never issued), six digits, a suffix letter A to D.
_NINO = re.compile(r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$")


def nino_clean(value: str) -> str:
    """A National Insurance number as stored (``AB123456C``: upper case, no spaces); ValidationError when not
    one."""
    compact = "".join(value.split()).upper()
    if not _NINO.match(compact):
        raise ValidationError(f'"{value.strip()}" is not a National Insurance number: two letters, six digits and '
                              "a letter A to D, like AB 12 34 56 C.", code="nino")
    return compact


def identifier_clean(identifier_type: str, value: str) -> str:
    """A linked identifier's value as stored, checked for its type: a unique pupil number's check letter (DfE),
    a National Insurance number's format (HMRC); other systems' numbers (YOT, case number, Home Office) are kept
    as given, without spaces at the ends."""
    if identifier_type == "upn":
        return upn_clean(value)
    if identifier_type == "nino":
        return nino_clean(value)
    return value.strip()
