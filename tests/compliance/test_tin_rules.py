"""The TIN rules, table by table: python-stdnum's SSN and EIN rules, the IRS's ITIN ranges, and
the never-issued test ranges that only a non-production installation accepts."""

import pytest
from django.core.exceptions import ValidationError
from django.test.utils import override_settings

from handoff.compliance import tins

# (TIN type, as typed, the reason it is refused, or None when it is a possible number)
RULES = [
    # SSN: area 001–665 and 667–899, group 01–99, serial 0001–9999 (python-stdnum us.ssn)
    ("ssn", "123-45-6789", None),
    ("ssn", "665 12 3456", None),
    ("ssn", "899-99-9999", None),
    ("ssn", "000-12-3456", "No SSN starts with 000."),
    ("ssn", "666-12-3456", "No SSN starts with 666."),
    ("ssn", "912-70-3456", "An SSN never starts with 9 (those are ITINs)"),
    ("ssn", "123-45-0000", "last four digits are never 0000"),
    ("ssn", "078-05-1120", "voided by the Social Security Administration"),
    # ITIN: starts with 9, fourth and fifth digits 50–65, 70–88, 90–92, 94–99 (IRS)
    ("itin", "912-50-3456", None),
    ("itin", "912-65-3456", None),
    ("itin", "912-70-3456", None),
    ("itin", "912-88-3456", None),
    ("itin", "912-92-3456", None),
    ("itin", "912-94-3456", None),
    ("itin", "912-99-3456", None),
    ("itin", "912-49-3456", "fourth and fifth digits are 50–65"),
    ("itin", "912-66-3456", "fourth and fifth digits are 50–65"),
    ("itin", "912-89-3456", "fourth and fifth digits are 50–65"),
    ("itin", "912-93-3456", "fourth and fifth digits are 50–65"),
    ("itin", "123-70-3456", "An ITIN starts with 9"),
    # EIN: a campus prefix the IRS has assigned (python-stdnum us.ein)
    ("ein", "04-1234567", None),
    ("ein", "12-3456789", None),
    ("ein", "98-7654321", None),
    ("ein", "07-1234567", "No EIN starts with 07"),
    ("ein", "17-1234567", "No EIN starts with 17"),
    ("ein", "89-1234567", "No EIN starts with 89"),
    ("ein", "97-1234567", "No EIN starts with 97"),
    # The shape
    ("ssn", "12345678", "Enter the nine digits"),
    ("ein", "12-34567890", "Enter the nine digits"),
    ("ssn", "123-45-678X", "Enter the nine digits"),
    ("ssn", "", "Enter the nine digits"),
]


@pytest.mark.parametrize(("tin_type", "typed", "reason"), RULES)
def test_a_tin_is_checked_against_the_issuing_rules(tin_type, typed, reason):
    if reason is None:
        assert tins.normalize(tin_type, typed) == typed.replace("-", "").replace(" ", "")
        return
    with pytest.raises(ValidationError) as error:
        tins.normalize(tin_type, typed)
    (message,) = error.value.message_dict["tin"]
    assert reason in message
    digits = typed.replace("-", "").replace(" ", "")
    assert not digits or digits not in message  # the number typed is never repeated


TEST_NUMBERS = [
    ("ssn", "900-00-1234"),
    ("ssn", "123-00-4567"),
    ("itin", "987-00-5678"),
    ("ein", "00-1234567"),
]


@pytest.mark.parametrize(("tin_type", "typed"), TEST_NUMBERS)
def test_never_issued_test_numbers_are_accepted_only_where_allowed(tin_type, typed):
    with override_settings(TIN_ACCEPT_TEST_NUMBERS=True):
        assert tins.normalize(tin_type, typed) == typed.replace("-", "")
    with override_settings(TIN_ACCEPT_TEST_NUMBERS=False), pytest.raises(ValidationError) as error:
        tins.normalize(tin_type, typed)
    assert "never issued" in error.value.message_dict["tin"][0]
