"""The one CSV writer every export uses: a cell a spreadsheet would run as a formula is written
as text.

Names, addresses and notes come from people outside the business (a provider's import, a
contact's portal). A cell such as ``=HYPERLINK(…)`` or ``+1+1`` opened in Excel, LibreOffice
or Google Sheets is evaluated, not shown. As the OWASP "CSV Injection" page and ASVS 5.0
requirement 1.2.10 say (CWE-1236), a text cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab, a carriage return or a NUL is written with a leading apostrophe, which the spreadsheet
shows as text. A plain number such as ``-12.50`` is left alone: it is data, not a formula.
Imports keep what was typed; only what leaves the app is neutralised.
"""

import csv
import re

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralise(value):
    """``value`` as a spreadsheet may safely open it (text with a leading apostrophe when it
    would start a formula); numbers, dates and empty cells as they are."""
    formula = isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)
    if formula and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` with every cell passed through :func:`neutralise`."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row):
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(stream, **options) -> SafeWriter:
    """The writer for every CSV the app hands out (``options`` as for ``csv.writer``)."""
    return SafeWriter(stream, **options)


class _Echo:
    """A file that hands back what is written to it."""

    def write(self, value):
        return value


def line_writer(**options) -> SafeWriter:
    """A writer whose ``writerow`` returns the row's text, for a streaming response."""
    return SafeWriter(_Echo(), **options)
