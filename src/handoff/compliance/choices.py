"""Vocabularies of Comply, in one place for models, forms, API, rules and exports."""

from django.db import models


class Category(models.TextChoices):
    """The IRS's three groups of common-law evidence (IRS Publication 15-A; Tax Topic 762)."""

    BEHAVIORAL = "behavioral", "Behavioral control"
    FINANCIAL = "financial", "Financial control"
    RELATIONSHIP = "relationship", "Type of relationship"


class Direction(models.TextChoices):
    EMPLOYEE = "employee", "toward employee"
    CONTRACTOR = "contractor", "toward independent contractor"


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNSURE = "unsure", "Not sure"


class Outcome(models.TextChoices):
    CONTRACTOR = "contractor", "Likely independent contractor"
    EMPLOYEE = "employee", "Likely employee"
    UNCLEAR = "unclear", "Unclear"


class StateOutcome(models.TextChoices):
    PASSES = "passes", "All three prongs shown: contractor under this test"
    FAILS = "fails", "A prong is not met: employee under this test"
    UNCLEAR = "unclear", "Not every prong is answered"
    EXEMPT = "exempt", "Exemption claimed: the state's other test applies"


class TinType(models.TextChoices):
    SSN = "ssn", "Social security number (SSN)"
    ITIN = "itin", "Individual taxpayer identification number (ITIN)"
    EIN = "ein", "Employer identification number (EIN)"


class TaxClassification(models.TextChoices):
    """Line 3a of Form W-9 (Rev. March 2024)."""

    INDIVIDUAL = "individual", "Individual/sole proprietor"
    C_CORPORATION = "c_corporation", "C corporation"
    S_CORPORATION = "s_corporation", "S corporation"
    PARTNERSHIP = "partnership", "Partnership"
    TRUST_ESTATE = "trust_estate", "Trust/estate"
    LLC = "llc", "LLC"
    OTHER = "other", "Other"


class LlcClassification(models.TextChoices):
    """The tax classification an LLC enters on line 3a (C, S or P); a single-member LLC that
    is disregarded checks the box of its owner instead."""

    NONE = "", "—"
    C = "C", "C corporation"
    S = "S", "S corporation"
    P = "P", "Partnership"


# Exempt payee codes of Form W-9's instructions (Rev. March 2024); code 5 is "a corporation".
EXEMPT_PAYEE_CODES = [
    ("", "None"),
    ("1", "1 — an organization exempt under section 501(a), an IRA, or a custodial account"),
    ("2", "2 — the United States or any of its agencies"),
    ("3", "3 — a state, the District of Columbia, a U.S. territory, or their subdivisions"),
    ("4", "4 — a foreign government or its subdivisions"),
    ("5", "5 — a corporation"),
    ("6", "6 — a dealer in securities or commodities"),
    ("7", "7 — a futures commission merchant"),
    ("8", "8 — a real estate investment trust"),
    ("9", "9 — an entity registered under the Investment Company Act of 1940"),
    ("10", "10 — a common trust fund"),
    ("11", "11 — a financial institution"),
    ("12", "12 — a middleman known in the investment community as a nominee or custodian"),
    ("13", "13 — a trust exempt from tax under section 664 or described in section 4947"),
]


class W9State(models.TextChoices):
    ON_FILE = "on_file", "W-9 on file"
    MISSING = "missing", "No W-9"


class ReportableReason(models.TextChoices):
    """Why a payee is, or is not, on the year's 1099-NEC list."""

    NEEDS_FORM = "needs_form", "Needs a 1099-NEC"
    BELOW_THRESHOLD = "below_threshold", "Below the year's threshold"
    CORPORATION = "corporation", "Corporation: not reported"
    EXEMPT_PAYEE = "exempt_payee", "Exempt payee"
    PROCESSOR_ONLY = "processor_only", "Paid only by card or network: the processor reports"
    FOREIGN_PERSON = "foreign_person", "Foreign person (Form W-8 on file): no 1099-NEC"


class ForeignForm(models.TextChoices):
    """The certificates of foreign status a payee gives instead of a W-9 (Instructions for the
    Requester of Forms W-8BEN, W-8BEN-E, W-8ECI, W-8EXP, and W-8IMY)."""

    W8BEN = "w8ben", "Form W-8BEN (individual)"
    W8BEN_E = "w8bene", "Form W-8BEN-E (entity)"


class FilingMethod(models.TextChoices):
    """How a tax year's 1099-NEC forms went to the IRS."""

    IRIS = "iris", "IRS IRIS portal"
    SERVICE = "service", "A filing service"
    PAPER = "paper", "On paper (with Form 1096)"


class TinMatchResult(models.IntegerChoices):
    """The indicator the IRS adds to each line of a bulk TIN Matching result file (IRS
    Publication 2108-A, "On-Line Taxpayer Identification Number (TIN) Matching Program")."""

    MATCH = 0, "Match"
    MISSING = 1, "TIN missing or not nine digits"
    NOT_ISSUED = 2, "TIN not issued"
    NO_MATCH = 3, "No match"
    INVALID = 4, "Invalid request"
    DUPLICATE = 5, "Duplicate request"
    MATCH_SSN = 6, "Match, as an SSN"
    MATCH_EIN = 7, "Match, as an EIN"
    MATCH_BOTH = 8, "Match, as an SSN and an EIN"


TIN_MATCHED = frozenset({0, 6, 7, 8})
# A name/TIN the IRS cannot tie together: the payee must certify a correct TIN.
TIN_MISMATCHED = frozenset({2, 3})
# The request itself was wrong or repeated: ask again in the next file.
TIN_ASK_AGAIN = frozenset({1, 4, 5})


class MismatchSource(models.TextChoices):
    """What told us a payee's name and TIN do not match (IRS Publication 1281)."""

    TIN_MATCHING = "tin_matching", "IRS TIN Matching result"
    CP2100 = "cp2100", "IRS notice CP2100 or CP2100A"
    LETTER_972CG = "972cg", "IRS Letter 972CG"
