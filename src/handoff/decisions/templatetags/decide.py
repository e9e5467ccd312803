"""Display of the analysis's figures: rounded here, once, as they are shown."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from handoff.core.templatetags.handoff import quantity
from handoff.decisions import costing

register = template.Library()


@register.filter
def rounded(value, places="1"):
    """A count rounded half up to ``places`` ('1', '0.1'), without trailing zeros: 1,567.5."""
    if value in (None, ""):
        return "—"
    return quantity(Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP))


@register.filter
def percent(value, places="0.1"):
    """A percent figure (24.3 for 24.3%) as '24.3%'."""
    if value in (None, ""):
        return "—"
    return f"{rounded(value, places)}%"


@register.filter
def change(value):
    """A change of volume in percent as '−50%', 'today', '+25%'."""
    value = Decimal(value)
    if not value:
        return "today"
    sign = "+" if value > 0 else "−"
    return f"{sign}{rounded(abs(value), '1')}%"


@register.filter
def hours_a_year(amount, per):
    """Hours entered per week, month or year as hours a year — the conversion is costing's."""
    return costing.hours_a_year(Decimal(amount or 0), per)
