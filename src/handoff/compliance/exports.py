"""The 1099-NEC list as CSV for an e-filing service (IRIS, or a commercial one): one row per
payee who needs a form, with the TIN decrypted. docs/compliance.md lists the columns."""

import io

from handoff.compliance import tins
from handoff.core import csv_export
from handoff.core.money import cents

# (column, meaning) — the order of the file's columns.
NEC_COLUMN_HELP = [
    ("tax_year", "Calendar year the payments were made in."),
    ("payer_name", "Your organization's name (the e-filing service holds your TIN and address)."),
    ("recipient_tin_type", "SSN, ITIN or EIN, from the W-9 (empty without a W-9)."),
    ("recipient_tin", "The full TIN with dashes, from the W-9 (empty without a W-9)."),
    ("recipient_name", "Line 1 of the W-9: the name on the recipient's tax return."),
    ("recipient_business_name", "Line 2 of the W-9: business or disregarded-entity name."),
    ("street", "Recipient's street address, from the W-9."),
    ("city", "Recipient's city."),
    ("state", "Recipient's state, two letters."),
    ("zip", "Recipient's ZIP code."),
    ("box1_nonemployee_compensation", "Box 1: the year's reportable payments, in dollars."),
    ("box4_federal_income_tax_withheld", "Box 4: the year's backup withholding, in dollars."),
    ("second_tin_notice", "Empty: set X in the e-filing service after two IRS B notices."),
    ("w9_on_file", "yes or no: without a W-9 the TIN and address columns are empty."),
    ("w9_signed_on", "Date the W-9 in use was signed (YYYY-MM-DD)."),
    ("handoff_provider_id", "Handoff's id of the provider, to trace the row back."),
]
NEC_COLUMNS = [name for name, _ in NEC_COLUMN_HELP]


def nec_rows(org, report) -> list[list[str]]:
    rows = []
    for row in report.needing_forms:
        w9 = row.w9
        rows.append(
            [
                str(report.year),
                org.name,
                w9.tin_type.upper() if w9 else "",
                tins.formatted(w9.tin_type, tins.decrypt(w9.tin_encrypted)) if w9 else "",
                w9.legal_name if w9 else (row.provider.legal_name or row.provider.name),
                w9.business_name if w9 else "",
                w9.street if w9 else "",
                w9.city if w9 else "",
                w9.state if w9 else "",
                w9.postal_code if w9 else "",
                f"{cents(row.reportable):.2f}",
                f"{cents(row.withheld):.2f}",
                "",
                "yes" if w9 else "no",
                f"{w9.signed_on:%Y-%m-%d}" if w9 else "",
                str(row.provider.pk),
            ]
        )
    return rows


def nec_csv(org, report) -> tuple[str, int]:
    """The file (through the app's one safe CSV writer) and how many payees it lists."""
    rows = nec_rows(org, report)
    buffer = io.StringIO()
    writer = csv_export.writer(buffer)
    writer.writerow(NEC_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue(), len(rows)
