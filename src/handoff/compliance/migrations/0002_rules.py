"""Comply's dated rules, from the shared domain notes (domain/classification.md and
domain/taxes-and-reporting.md), each row with its source. Next year's change — a new 1099
threshold, a reworded factor, a state's new test — is a new migration adding a row, not a code
change. Social Security, Medicare and FUTA are not repeated here: Comply reads them from the
decisions app's dated payroll tax table."""

from datetime import date
from decimal import Decimal

from django.db import migrations

PUB_15A = (
    "IRS Publication 15-A, Employer's Supplemental Tax Guide, 'Employee or Independent Contractor?'"
)
RR_87_41 = "Rev. Rul. 87-41 (the 20 factors)"
COMMON_LAW = "Treas. Reg. 31.3121(d)-1(c); IRS Tax Topic 762"

RULE_SET = {
    "effective_from": date(2025, 1, 1),
    "name": "IRS common-law factors",
    "employee_share_at_least": Decimal("0.650"),
    "contractor_share_at_most": Decimal("0.350"),
    "min_answered_share": Decimal("0.200"),
    "source": (
        f"Factors: {PUB_15A}; {COMMON_LAW}; {RR_87_41}. The IRS weighs the whole relationship "
        "and no single factor decides. Weights and the calling rule are Handoff's own, not IRS "
        "figures: a factor the IRS stresses (instructions, profit or loss, offering services to "
        "the market, benefits) weighs 3, others 1–2; a 'no' weighs less than a 'yes' because "
        "the absence of a sign says less than its presence. The result is 'likely employee' at "
        "65% or more of the answered weight toward employee, 'likely independent contractor' at "
        "35% or less, otherwise — or with fewer than a fifth of the factors answered — "
        "'unclear'."
    ),
}

E, C = "employee", "contractor"

# key, category, question, yes points to, yes weight, no weight, help, source
FACTORS = [
    (
        "sets_when_where",
        "behavioral",
        "Do you decide when and where the worker works (set hours, your premises)?",
        E,
        3,
        1,
        "Instructions about when and where to work are a sign of behavioral control.",
        f"{PUB_15A}, behavioral control: instructions; {RR_87_41}, factors 7 and 9.",
    ),
    (
        "directs_how",
        "behavioral",
        "Do you tell the worker how to do the work: which tools, which order or sequence, "
        "who does which part?",
        E,
        3,
        1,
        "The more detailed the instructions, the more control; a contractor is told the result.",
        f"{PUB_15A}, behavioral control: instructions; {RR_87_41}, factors 1 and 10.",
    ),
    (
        "evaluates_how",
        "behavioral",
        "Do you evaluate how the work is done, not only its result?",
        E,
        2,
        1,
        "A system that measures the details of how the work is performed points to employment.",
        f"{PUB_15A}, behavioral control: evaluation systems.",
    ),
    (
        "trains",
        "behavioral",
        "Do you train the worker in your own methods or procedures?",
        E,
        2,
        1,
        "'Independent contractors ordinarily use their own methods.' (Pub. 15-A)",
        f"{PUB_15A}, behavioral control: training; {RR_87_41}, factor 2.",
    ),
    (
        "reports",
        "behavioral",
        "Must the worker give you regular oral or written reports on progress?",
        E,
        1,
        0,
        "",
        f"{RR_87_41}, factor 11.",
    ),
    (
        "personal",
        "behavioral",
        "Must the worker do the work in person, without hiring helpers or substitutes?",
        E,
        1,
        1,
        "A worker who hires, supervises and pays assistants acts like a business.",
        f"{RR_87_41}, factors 4 and 5.",
    ),
    (
        "unreimbursed_expenses",
        "financial",
        "Does the worker pay business expenses you do not reimburse, including fixed costs "
        "paid whether or not work is under way?",
        C,
        2,
        1,
        "Fixed ongoing costs weigh especially toward contractor status.",
        f"{PUB_15A}, financial control: unreimbursed expenses; {RR_87_41}, factor 13.",
    ),
    (
        "own_investment",
        "financial",
        "Does the worker use equipment, tools or facilities they paid for themselves?",
        C,
        2,
        1,
        "A significant investment is not required for contractor status.",
        f"{PUB_15A}, financial control: investment; {RR_87_41}, factors 14 and 15.",
    ),
    (
        "serves_market",
        "financial",
        "Does the worker offer the same services to others: other clients, advertising, a "
        "place of business?",
        C,
        3,
        2,
        "",
        f"{PUB_15A}, financial control: services available to the market; {RR_87_41}, "
        "factors 17 and 18.",
    ),
    (
        "paid_for_time",
        "financial",
        "Do you pay a regular wage or salary for a period of time (by the hour, week or "
        "month) rather than a flat fee per job?",
        E,
        2,
        1,
        "Pay for time points to employment, a flat fee per job to contracting; some "
        "professions (e.g. lawyers) are commonly paid by the hour as contractors.",
        f"{PUB_15A}, financial control: method of payment; {RR_87_41}, factor 12.",
    ),
    (
        "profit_or_loss",
        "financial",
        "Can the worker make a profit or suffer a loss on the work?",
        C,
        3,
        2,
        "",
        f"{PUB_15A}, financial control: opportunity for profit or loss; {RR_87_41}, factor 16.",
    ),
    (
        "written_contractor",
        "relationship",
        "Does a written contract state that the worker is an independent contractor?",
        C,
        1,
        0,
        "Relevant, not decisive: the label the parties use does not decide the status.",
        f"{PUB_15A}, type of relationship: written contracts; {COMMON_LAW}.",
    ),
    (
        "benefits",
        "relationship",
        "Does the worker receive employee-type benefits: insurance, a pension, paid "
        "vacation or sick days?",
        E,
        3,
        1,
        "",
        f"{PUB_15A}, type of relationship: employee benefits.",
    ),
    (
        "indefinite",
        "relationship",
        "Is the relationship expected to go on indefinitely, rather than for a project or a "
        "set period?",
        E,
        2,
        1,
        "",
        f"{PUB_15A}, type of relationship: permanency; {RR_87_41}, factor 6.",
    ),
    (
        "key_activity",
        "relationship",
        "Are the services a key part of your business's regular activity?",
        E,
        2,
        1,
        "",
        f"{PUB_15A}, type of relationship: services provided as key activity; {RR_87_41}, "
        "factor 3.",
    ),
    (
        "exclusive_full_time",
        "relationship",
        "Must the worker work full time for you, or are they barred from working for others?",
        E,
        2,
        0,
        "",
        f"{RR_87_41}, factors 8 and 17.",
    ),
    (
        "at_will",
        "relationship",
        "Can either side end the relationship at any time without liability, as with an "
        "at-will employee?",
        E,
        1,
        1,
        "A contractor is usually bound to finish the job and liable if they do not.",
        f"{RR_87_41}, factors 19 and 20.",
    ),
]

PRONG_A = {
    "key": "a",
    "label": "(A) free from control",
    "question": "Is the worker free from your control and direction in doing the work, both "
    "under the contract and in fact?",
}
PRONG_B = {
    "key": "b",
    "label": "(B) outside the usual course",
    "question": "Is the work outside the usual course of your business?",
}
PRONG_B_PLACES = {
    "key": "b",
    "label": "(B) outside the usual course or places",
    "question": "Is the work outside the usual course of your business, or done outside all "
    "of your places of business?",
}
PRONG_C = {
    "key": "c",
    "label": "(C) independent business",
    "question": "Is the worker customarily engaged in an independently established trade, "
    "occupation or business of the same kind as the work?",
}
HANDOFF_FROM = (
    " The test was in force before this date; Handoff applies this row from it and names no "
    "earlier one."
)
SURVEY = (
    "ABC test for unemployment insurance per the EPI summary of a Congressional Research "
    "Service report (c. 2021) [secondary; dated]; check the state's current statute."
)

STATE_TESTS = [
    {
        "state": "CA",
        "effective_from": date(2020, 9, 4),
        "name": "California ABC test",
        "applies_to": "Labor Code, Unemployment Insurance Code and wage orders",
        "prongs": [PRONG_A, PRONG_B, PRONG_C],
        "exemptions": [
            {
                "key": "business_to_business",
                "name": "business-to-business exemption",
                "description": "Labor Code 2776: the worker is a business service provider "
                "meeting about a dozen conditions, among them a written contract with the pay "
                "rate and due date, a business licence, a business location separate from "
                "yours, freedom to serve other clients and set their own hours, and their own "
                "tools. The Borello test then applies.",
                "citation": "Cal. Labor Code 2776",
            },
            {
                "key": "professional_services",
                "name": "professional-services exemption",
                "description": "Labor Code 2778: e.g. marketing, HR administration, graphic "
                "design, grant writing, some writers and photographers, under its conditions. "
                "The Borello test then applies.",
                "citation": "Cal. Labor Code 2778",
            },
            {
                "key": "listed_occupation",
                "name": "listed-occupation exemption",
                "description": "Labor Code 2783: e.g. licensed physicians, lawyers, "
                "accountants, architects, engineers. The Borello test then applies.",
                "citation": "Cal. Labor Code 2783",
            },
        ],
        "source": "Cal. Labor Code 2775 (AB 5, as recodified by AB 2257, effective "
        "2020-09-04), exemptions in 2776–2784 [primary/secondary].",
    },
    {
        "state": "MA",
        "effective_from": date(2020, 1, 1),
        "name": "Massachusetts independent contractor law",
        "applies_to": "wage laws",
        "prongs": [PRONG_A, PRONG_B, PRONG_C],
        "exemptions": [],
        "source": "Mass. Gen. Laws c. 149 s. 148B; prong B is 'outside the usual course' only "
        "[primary]." + HANDOFF_FROM,
    },
    {
        "state": "NJ",
        "effective_from": date(2020, 1, 1),
        "name": "New Jersey ABC test",
        "applies_to": "unemployment insurance, and wage laws (Hargrove v. Sleepy's, 2015)",
        "prongs": [PRONG_A, PRONG_B_PLACES, PRONG_C],
        "exemptions": [],
        "source": "N.J. unemployment compensation law's ABC test, applied to the wage laws by "
        "Hargrove v. Sleepy's (2015); prong B accepts 'outside all places of business'; NJDOL "
        "proposed N.J.A.C. 12:11 in 2025 (adoption to check); stop-work orders and daily "
        "penalties for violations [secondary]." + HANDOFF_FROM,
    },
    {
        "state": "IL",
        "effective_from": date(2020, 1, 1),
        "name": "Illinois ABC test (unemployment insurance)",
        "applies_to": "unemployment insurance; wage law only in construction",
        "prongs": [PRONG_A, PRONG_B_PLACES, PRONG_C],
        "exemptions": [],
        "source": "820 ILCS 405/212 (unemployment insurance); 820 ILCS 185 for construction "
        "[primary]." + HANDOFF_FROM,
    },
]
UI_STATES = {
    "AK": "Alaska",
    "CT": "Connecticut",
    "DE": "Delaware",
    "HI": "Hawaii",
    "IN": "Indiana",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NM": "New Mexico",
    "VT": "Vermont",
    "WA": "Washington",
    "WV": "West Virginia",
}
ALSO_WAGE_LAWS = {"CT", "NE", "VT"}
for code, name in UI_STATES.items():
    STATE_TESTS.append(
        {
            "state": code,
            "effective_from": date(2021, 1, 1),
            "name": f"{name} ABC test",
            "applies_to": "unemployment insurance"
            + (" and wage laws" if code in ALSO_WAGE_LAWS else "")
            + ("; wage law in construction" if code == "MD" else ""),
            "prongs": [PRONG_A, PRONG_B, PRONG_C],
            "exemptions": [],
            "source": SURVEY,
        }
    )

THRESHOLDS = [
    (
        date(2000, 1, 1),
        date(2025, 12, 31),
        Decimal("600"),
        "IRC 6041(a) before amendment: $600 a year, for payments made through 2025-12-31 "
        "[primary statute text]. (In force long before 2000; Handoff's table starts there.)",
    ),
    (
        date(2026, 1, 1),
        date(2026, 12, 31),
        Decimal("2000"),
        "IRC 6041(a) as amended by P.L. 119-21 (One Big Beautiful Bill Act) s. 70433: $2,000 a "
        "calendar year for payments after 2025-12-31 [primary statute text; secondary for "
        "dates]. From 2027 the amount is indexed for inflation in $100 steps (IRC 6041(h)); "
        "the 2027 amount was not found published when this row was entered (2026-12-04), so "
        "2027 has no row yet: its pages say the 2026 threshold stands in until one is added.",
    ),
]

SECTION_3509 = {
    "effective_from": date(2000, 1, 1),
    "withholding_percent": Decimal("1.5"),
    "withholding_no_1099_percent": Decimal("3"),
    "employee_fica_share_percent": Decimal("20"),
    "employee_fica_share_no_1099_percent": Decimal("40"),
    "source": "IRC 3509(a): income-tax withholding at 1.5% of wages and 20% of the employee's "
    "share of FICA; 3509(b): 3% and 40% when the required 1099 (or W-2) was not filed; not "
    "available for intentional disregard [primary]. The employer also owes its own full FICA "
    "share and cannot recover these amounts from the worker. (In force long before 2000; "
    "Handoff's table starts there.)",
}


def load(apps, schema_editor):
    RuleSet = apps.get_model("compliance", "ClassificationRuleSet")
    Factor = apps.get_model("compliance", "ClassificationFactor")
    StateTest = apps.get_model("compliance", "StateTest")
    Threshold = apps.get_model("compliance", "Form1099Threshold")
    Rates = apps.get_model("compliance", "Section3509Rates")
    data = dict(RULE_SET)
    rule_set, _ = RuleSet.objects.update_or_create(
        effective_from=data.pop("effective_from"), defaults=data
    )
    for position, (key, category, question, points, yes, no, help_text, source) in enumerate(
        FACTORS, start=1
    ):
        Factor.objects.update_or_create(
            rule_set=rule_set,
            key=key,
            defaults={
                "category": category,
                "position": position,
                "question": question,
                "yes_points_to": points,
                "yes_weight": yes,
                "no_weight": no,
                "help_text": help_text,
                "source": source,
            },
        )
    for test in STATE_TESTS:
        test = dict(test)
        StateTest.objects.update_or_create(
            state=test.pop("state"), effective_from=test.pop("effective_from"), defaults=test
        )
    for start, end, amount, source in THRESHOLDS:
        Threshold.objects.update_or_create(
            effective_from=start,
            defaults={"effective_to": end, "amount": amount, "source": source},
        )
    rates = dict(SECTION_3509)
    Rates.objects.update_or_create(effective_from=rates.pop("effective_from"), defaults=rates)


def unload(apps, schema_editor):
    for name in (
        "ClassificationRuleSet",
        "StateTest",
        "Form1099Threshold",
        "Section3509Rates",
    ):
        apps.get_model("compliance", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
