from decimal import Decimal

from django import template

from handoff.core.charts import with_style_nonce
from handoff.core.money import cents

register = template.Library()

SYMBOLS = {
    "USD": "$",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "EUR": "€",
    "GBP": "£",
    "MXN": "MX$",
    "INR": "₹",
    "PHP": "₱",
    "JPY": "¥",
}


@register.filter
def money(value, currency="USD"):
    """A Decimal amount as '$1,250.00' (rounded half up to cents, once, for display)."""
    if value in (None, ""):
        return "—"
    amount = cents(value)
    symbol = SYMBOLS.get(currency)
    text = f"{abs(amount):,.2f}"
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


@register.filter
def quantity(value):
    """A Decimal count without trailing zeros: 120.00 → 120, 2.50 → 2.5."""
    if value in (None, ""):
        return "—"
    normalized = Decimal(value).normalize()
    return f"{normalized:,f}"


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template, or None."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def filtering(request, ignore="tab,page,view"):
    """Whether the request's query string sets a filter — anything but a list's tab, view or
    page — so that the folded "Filters" box on a phone opens to show it."""
    skipped = set(ignore.split(","))
    return any(value for key, value in request.GET.items() if key not in skipped)


@register.simple_tag(takes_context=True)
def chart(context, svg):
    """A server-drawn chart, its inline stylesheet let through the page's
    Content-Security-Policy by the request's nonce; unchanged without a request (a PDF)."""
    request = context.get("request")
    nonce = getattr(request, "csp_nonce", None)  # lazy: made (and sent) only when used here
    return svg if nonce is None else with_style_nonce(svg, str(nonce))
