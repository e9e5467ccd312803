"""Money is Decimal throughout; it is rounded to cents once, where it is shown or sent."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(value: Decimal | None) -> Decimal | None:
    """``value`` rounded half up to cents, for a page, a PDF or an API response."""
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
