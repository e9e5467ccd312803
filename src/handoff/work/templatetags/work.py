"""Filters for task pages: plain text shown safely, durations said plainly."""

from datetime import timedelta

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import urlize
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def plain_text(value):
    """Plain text as HTML: everything escaped, web addresses linked (rel="noopener nofollow"),
    line breaks kept. Never lets the text's own HTML through."""
    linked = urlize(value or "", nofollow=True, autoescape=True)
    linked = linked.replace('rel="nofollow"', 'rel="noopener nofollow"')
    return mark_safe(linebreaksbr(linked, autoescape=False))  # noqa: S308 - escaped by urlize


@register.filter
def duration(value):
    """A timedelta as '2 days 3 hours' / '45 minutes' (the two largest parts)."""
    if not isinstance(value, timedelta):
        return ""
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 60 * 24)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " ".join(words[:2]) or "less than a minute"
