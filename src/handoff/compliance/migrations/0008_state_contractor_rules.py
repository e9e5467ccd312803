"""The states' rules for reporting independent contractors to their new-hire registries, as
dated data with their sources. Each row is the rule as read on the date in ``verified_on``
(empty where the primary source was not re-read: the row then comes from the shared domain
notes' survey and says so). A row starts on the date its source gives for the rule (California
2001-01-01, SB 542; Connecticut 2003-10-01, Public Act 03-89); where the source gives none it
starts 2026-01-01, and earlier years are not entered.

Not entered: Iowa (Iowa Code §252G.4 ties its rule to "more than one payment, one of them over
the 1099 threshold", which moved to $2,000 for 2026; not re-read). Other states have no
contractor reporting known to Handoff."""

from decimal import Decimal

from django.db import migrations

FROM = "2026-01-01"
READ = "2026-12-07"
INDIVIDUALS = ["sole_proprietor", "single_member_llc"]
EVERY_TYPE = [
    "sole_proprietor",
    "single_member_llc",
    "partnership",
    "c_corporation",
    "s_corporation",
    "other",
]

RULES = [
    {
        "state": "CA",
        "effective_from": "2001-01-01",
        "threshold": Decimal("600"),
        "counts_contract_value": True,
        "entity_types": INDIVIDUALS,
        "who": "Individuals, sole proprietors and single-member LLCs you file a 1099-NEC or "
        "1099-MISC for, paid $600 or more in the calendar year (or under a contract for that "
        "much)",
        "deadline_days": 20,
        "every_year": True,
        "how": "EDD Form DE 542, Report of Independent Contractors (paper, or e-Services for "
        "Business)",
        "asks": "Your FEIN, California employer payroll tax account number (if any), name, "
        "address and phone; the contractor's first name, middle initial and last name, SSN, "
        "address, the contract's start date (or the date payments reached $600), its amount, "
        "its expiration date or that it is ongoing.",
        "source": 'California EDD, "Independent Contractor Reporting" '
        "(edd.ca.gov/en/payroll_taxes/independent_contractor_reporting); Unemployment "
        "Insurance Code §1088.8.",
        "verified_on": READ,
    },
    {
        "state": "CT",
        "effective_from": "2003-10-01",
        "threshold": Decimal("5000"),
        "counts_contract_value": True,
        "entity_types": EVERY_TYPE,
        "who": "Contractors whose services are valued at $5,000 or more and who are not "
        "registered with the Connecticut Department of Labor for unemployment insurance (nor "
        "employees of a registered employer)",
        "deadline_days": 20,
        "every_year": False,
        "how": "Connecticut Department of Labor new-hire report",
        "asks": "As the new-hire report asks: your name, address and FEIN; the contractor's "
        "name, address, SSN and start date.",
        "source": 'Connecticut Business One Stop, "Do I have to report an independent '
        'contractor as a new hire?" (business.ct.gov), Public Act 03-89. The 20-day deadline '
        "is the new-hire program's, from the domain notes; not re-read.",
        "verified_on": None,
    },
    {
        "state": "MA",
        "threshold": Decimal("600"),
        "entity_types": EVERY_TYPE,
        "who": "Every independent contractor (an individual or an entity) who earns $600 or "
        "more a year from you",
        "deadline_days": 14,
        "every_year": False,
        "how": "Massachusetts DOR new-hire report: MassTaxConnect, or Form NHR by mail with "
        "fewer than 25 employees",
        "asks": "Your FEIN, legal name and payroll address; the contractor's full name and "
        "mailing address as on the Social Security card, that they are an independent "
        "contractor, their SSN (not an ITIN) and the start date.",
        "source": '830 CMR 62E.2.1 ("Independent Contractor": $600 or more annually); '
        'Massachusetts DOR, "Report New Hires" (mass.gov/how-to/report-new-hires) and the '
        "New Hire Reporting Program page (report within 14 days).",
        "verified_on": READ,
    },
    {
        "state": "ME",
        "threshold": Decimal("2500"),
        "counts_contract_value": True,
        "entity_types": EVERY_TYPE,
        "who": "Contractors for services in Maine whose pay is expected to reach $2,500 or "
        "more, reported by a business that reports new hires",
        "deadline_days": None,
        "every_year": False,
        "how": "Maine DHHS new-hire report",
        "asks": "As the new-hire report asks: your name, address and identification number; "
        "the contractor's name, address and SSN and when services began.",
        "source": '19-A M.R.S. §2154(4-B) ("anticipated to equal or exceed $2,500"); the '
        "statute names no separate deadline for contractors.",
        "verified_on": READ,
    },
    {
        "state": "NH",
        "threshold": Decimal("2500"),
        "more_than": True,
        "counts_contract_value": True,
        "entity_types": ["sole_proprietor"],
        "who": "Sole proprietors without employees whose pay for labor in the calendar year "
        "exceeds $2,500 (casual labor aside)",
        "deadline_days": 20,
        "every_year": True,
        "how": "New Hampshire Employment Security new-hire report",
        "asks": "As the new-hire report asks: your name, address and FEIN; the contractor's "
        "name, address, SSN and start date.",
        "source": 'New Hampshire Employment Security, "Reporting Independent Contractors '
        'under the New Hire Program" (brochure); the 20-day deadline and the yearly report '
        "from secondary summaries, not re-read at NHES.",
        "verified_on": None,
    },
    {
        "state": "NJ",
        "threshold": None,
        "entity_types": INDIVIDUALS,
        "who": "Independent contractors you pay, whatever the amount",
        "deadline_days": 20,
        "every_year": False,
        "how": "New Jersey New Hire Reporting",
        "asks": "As the new-hire report asks: your name, address and FEIN; the contractor's "
        "name, address, SSN and start date.",
        "source": "N.J.A.C. 10:110-11.2, from the domain notes' survey; not re-read.",
        "verified_on": None,
    },
    {
        "state": "OH",
        "threshold": None,
        "entity_types": INDIVIDUALS,
        "who": "Contractors who are individuals, or the sole member of an LLC (or the sole "
        "shareholder of a corporation: report those too), residing or working in Ohio",
        "deadline_days": 20,
        "every_year": False,
        "how": "Ohio New Hire Reporting Center",
        "asks": "As the new-hire report asks: your name, address and FEIN; the contractor's "
        "name, address, SSN and start date.",
        "source": 'Ohio Revised Code §3121.89 (an "employee" includes an independent '
        "contractor who is an individual, the sole shareholder of a corporation or the sole "
        "member of an LLC) and §3121.891 (report within 20 days), as quoted by the Ohio New "
        "Hire Reporting Center.",
        "verified_on": READ,
    },
]


def load(apps, schema_editor):
    Rule = apps.get_model("compliance", "StateContractorRule")
    for row in RULES:
        Rule.objects.update_or_create(
            state=row["state"],
            effective_from=row.get("effective_from", FROM),
            defaults={k: v for k, v in row.items() if k not in ("state", "effective_from")},
        )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0007_state_contractor_reporting")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
