"""Worker classification as arithmetic over plain data: no database, no Django models.

The rules (factors, their wording and weights, the thresholds, the state ABC tests) come from
the dated tables as plain values (``Rules``); the answers come from the person assessing. The
result says which way each answered factor pointed and how strongly, and what to do next.

The method, and its limits: the IRS weighs the whole relationship and no single factor decides
(IRS, "Independent contractor (self-employed) or employee?"; Publication 15-A). Handoff counts
each answered factor's weight toward employee or contractor and calls the result only when one
side clearly outweighs the other *and* enough factors are answered; otherwise it says
"unclear". A state ABC test is stricter: the worker is an employee unless the business shows all
three prongs (e.g. California Labor Code 2775), so one unmet prong makes the state result
"employee" whatever the federal weighing says. This is guidance, not legal advice.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from handoff.compliance.choices import Answer, Direction, Outcome, StateOutcome

ZERO = Decimal(0)


# --- The rules, as plain data ----------------------------------------------------------------
@dataclass(frozen=True)
class Factor:
    """One yes/no question. A "yes" points ``yes_points_to`` with ``yes_weight``; a "no"
    points the other way with ``no_weight`` (often lighter: the absence of a sign of control
    says less than its presence)."""

    key: str
    category: str
    question: str
    yes_points_to: str
    yes_weight: int
    no_weight: int
    help_text: str = ""
    source: str = ""


@dataclass(frozen=True)
class Prong:
    key: str
    label: str
    question: str  # a "yes" means the prong is shown (points to contractor)


@dataclass(frozen=True)
class Exemption:
    key: str
    name: str
    description: str
    citation: str = ""


@dataclass(frozen=True)
class StateTest:
    state: str
    name: str
    applies_to: str
    prongs: tuple[Prong, ...]
    exemptions: tuple[Exemption, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Rules:
    """One dated rule set: the factors and how the weighing is called."""

    factors: tuple[Factor, ...]
    employee_share_at_least: Decimal  # employee weight / all weight at or above: employee
    contractor_share_at_most: Decimal  # at or below: contractor
    min_answered_share: Decimal  # fewer factors answered than this share: unclear
    state_tests: tuple[StateTest, ...] = ()


# --- The answers -----------------------------------------------------------------------------
@dataclass(frozen=True)
class FactorAnswer:
    answer: str = Answer.UNSURE
    evidence: str = ""


@dataclass(frozen=True)
class StateAnswers:
    prongs: Mapping[str, FactorAnswer] = field(default_factory=dict)
    exemption: str = ""  # the key of a claimed exemption, or ""
    exemption_evidence: str = ""


# --- The result ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    """One answered factor and the way it pointed."""

    factor: Factor
    answer: str
    evidence: str
    points_to: str | None  # None when unanswered
    weight: int


@dataclass(frozen=True)
class StateFinding:
    test: StateTest
    outcome: str
    unmet: tuple[Prong, ...]
    unanswered: tuple[Prong, ...]
    exemption: Exemption | None
    answers: Mapping[str, FactorAnswer]


@dataclass(frozen=True)
class Result:
    outcome: str
    federal_outcome: str
    employee_weight: int
    contractor_weight: int
    answered: int
    total: int
    findings: tuple[Finding, ...]
    states: tuple[StateFinding, ...]
    next_steps: tuple[str, ...]

    @property
    def toward_employee(self) -> list[Finding]:
        return [f for f in self.findings if f.points_to == Direction.EMPLOYEE]

    @property
    def toward_contractor(self) -> list[Finding]:
        return [f for f in self.findings if f.points_to == Direction.CONTRACTOR]

    @property
    def unanswered(self) -> list[Finding]:
        return [f for f in self.findings if f.points_to is None]

    @property
    def employee_share(self) -> Decimal | None:
        weighed = self.employee_weight + self.contractor_weight
        return None if not weighed else Decimal(self.employee_weight) / Decimal(weighed)


def _other(direction: str) -> str:
    return Direction.CONTRACTOR if direction == Direction.EMPLOYEE else Direction.EMPLOYEE


def weigh(factor: Factor, answer: FactorAnswer) -> Finding:
    """Which way one answer points, and how strongly."""
    if answer.answer == Answer.YES:
        return Finding(
            factor, answer.answer, answer.evidence, factor.yes_points_to, factor.yes_weight
        )
    if answer.answer == Answer.NO and factor.no_weight:
        return Finding(
            factor, answer.answer, answer.evidence, _other(factor.yes_points_to), factor.no_weight
        )
    return Finding(factor, answer.answer, answer.evidence, None, 0)


def federal_outcome(rules: Rules, findings: Sequence[Finding]) -> tuple[str, int, int, int]:
    employee = sum(f.weight for f in findings if f.points_to == Direction.EMPLOYEE)
    contractor = sum(f.weight for f in findings if f.points_to == Direction.CONTRACTOR)
    answered = sum(1 for f in findings if f.answer in (Answer.YES, Answer.NO))
    total = len(rules.factors)
    if not total or Decimal(answered) / Decimal(total) < rules.min_answered_share:
        return Outcome.UNCLEAR, employee, contractor, answered
    if employee + contractor == 0:
        return Outcome.UNCLEAR, employee, contractor, answered
    share = Decimal(employee) / Decimal(employee + contractor)
    if share >= rules.employee_share_at_least:
        outcome = Outcome.EMPLOYEE
    elif share <= rules.contractor_share_at_most:
        outcome = Outcome.CONTRACTOR
    else:
        outcome = Outcome.UNCLEAR
    return outcome, employee, contractor, answered


def state_finding(test: StateTest, answers: StateAnswers) -> StateFinding:
    """An ABC test: contractor only when every prong is shown, unless an exemption is claimed
    (then the state's other test, e.g. California's *Borello*, applies instead)."""
    exemption = next((e for e in test.exemptions if e.key == answers.exemption), None)
    given = {prong.key: answers.prongs.get(prong.key, FactorAnswer()) for prong in test.prongs}
    unmet = tuple(p for p in test.prongs if given[p.key].answer == Answer.NO)
    unanswered = tuple(p for p in test.prongs if given[p.key].answer == Answer.UNSURE)
    if exemption is not None:
        outcome = StateOutcome.EXEMPT
    elif unmet:
        outcome = StateOutcome.FAILS
    elif unanswered:
        outcome = StateOutcome.UNCLEAR
    else:
        outcome = StateOutcome.PASSES
    return StateFinding(test, outcome, unmet, unanswered, exemption, given)


def _combined(federal: str, states: Sequence[StateFinding]) -> str:
    """The strictest of the federal weighing and the state tests."""
    if federal == Outcome.EMPLOYEE or any(s.outcome == StateOutcome.FAILS for s in states):
        return Outcome.EMPLOYEE
    if federal == Outcome.UNCLEAR or any(
        s.outcome in (StateOutcome.UNCLEAR, StateOutcome.EXEMPT) for s in states
    ):
        return Outcome.UNCLEAR
    return Outcome.CONTRACTOR


SS8 = (
    "If you remain unsure, either you or the worker may ask the IRS to decide on Form SS-8: "
    "there is no fee, it is filed on paper or by fax, it covers federal taxes only, and the IRS "
    "says a determination can take six months or more."
)
ADVICE = (
    "Get professional advice — an employment lawyer or a CPA — before relying on this result; "
    "Handoff's assessment is guidance, not legal advice."
)
WRITTEN = (
    "Put the status in the written agreement (the engagement's independent-contractor clause) "
    "and keep this assessment with it; a contract is relevant evidence, though not decisive."
)


def next_steps(outcome: str, findings: Sequence[Finding], states: Sequence[StateFinding]):
    """What to do about the result, in plain words, most specific first."""
    steps = []
    toward_employee = [f for f in findings if f.points_to == Direction.EMPLOYEE]
    if outcome != Outcome.CONTRACTOR and toward_employee:
        heaviest = sorted(toward_employee, key=lambda f: -f.weight)[:3]
        steps.append(
            "Change the arrangement where it points toward employment: "
            + "; ".join(f.factor.question.rstrip("?") for f in heaviest)
            + "."
        )
    for finding in states:
        if finding.outcome == StateOutcome.FAILS:
            steps.append(
                f"{finding.test.name}: the worker is an employee under this test unless every "
                "prong is shown; unmet: "
                + "; ".join(f"{p.label}" for p in finding.unmet)
                + ". See whether one of its exemptions truly applies."
            )
        elif finding.outcome == StateOutcome.EXEMPT and finding.exemption:
            steps.append(
                f"{finding.test.name}: you claim the {finding.exemption.name}. Check that every "
                "one of its conditions is met and documented; the state's other test then "
                "applies."
            )
    if outcome == Outcome.EMPLOYEE:
        steps.append(
            "Consider treating the worker as an employee (payroll, withholding, benefits), or "
            "the IRS Voluntary Classification Settlement Program (Form 8952) to reclassify "
            "going forward."
        )
    steps.append(WRITTEN)
    if outcome != Outcome.CONTRACTOR:
        steps.append(SS8)
    steps.append(ADVICE)
    return tuple(steps)


def assess(
    rules: Rules,
    answers: Mapping[str, FactorAnswer],
    state_answers: Mapping[str, StateAnswers] | None = None,
    states: Sequence[str] = (),
) -> Result:
    """Weigh ``answers`` against ``rules``; the state tests of ``states`` are asked too."""
    findings = tuple(weigh(f, answers.get(f.key, FactorAnswer())) for f in rules.factors)
    federal, employee, contractor, answered = federal_outcome(rules, findings)
    state_answers = state_answers or {}
    state_findings = tuple(
        state_finding(test, state_answers.get(test.state, StateAnswers()))
        for test in rules.state_tests
        if test.state in states
    )
    outcome = _combined(federal, state_findings)
    return Result(
        outcome=outcome,
        federal_outcome=federal,
        employee_weight=employee,
        contractor_weight=contractor,
        answered=answered,
        total=len(rules.factors),
        findings=findings,
        states=state_findings,
        next_steps=next_steps(outcome, findings, state_findings),
    )
