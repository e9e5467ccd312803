"""An engagement's communication plan, escalation ladder, service levels, response targets
and workflow as JSON."""

from typing import Literal

from ninja import Field, Schema

from handoff.core.api import ResponseSchema
from handoff.engagements.choices import MeetingCadence, Party, Severity, TargetUnit, TurnaroundRule
from handoff.providers.choices import Channel


class PlanOut(ResponseSchema):
    our_point_person_id: int | None = Field(description="A user id (a member).")
    our_point_person_name: str | None = Field(None, alias="our_point_person.name")
    their_point_person_id: int | None = Field(description="A contact id at the provider.")
    their_point_person_name: str | None = Field(None, alias="their_point_person.name")
    issue_contact_id: int | None = Field(description="A contact id at the provider.")
    issue_contact_name: str | None = Field(None, alias="issue_contact.name")
    preferred_channel: Channel
    meeting_cadence: MeetingCadence
    meeting_notes: str
    missing_for_activation: list[str]


class PlanIn(Schema):
    our_point_person_id: int | None = None
    their_point_person_id: int | None = None
    issue_contact_id: int | None = None
    preferred_channel: Channel = Channel.EMAIL
    meeting_cadence: MeetingCadence = MeetingCadence.MONTHLY
    meeting_notes: str = ""


class EscalationLevelOut(Schema):
    id: int
    level: int
    our_person_id: int
    our_person_name: str = Field(alias="our_person.name")
    their_contact_id: int
    their_contact_name: str = Field(alias="their_contact.name")
    amount: int
    unit: TargetUnit
    target_display: str


class EscalationLevelIn(Schema):
    our_person_id: int
    their_contact_id: int
    amount: int = Field(description="How long before the issue climbs to the next level.")
    unit: TargetUnit = TargetUnit.HOURS


class ServiceLevelOut(Schema):
    id: int
    task_kind: str
    rule: TurnaroundRule
    business_days: int | None
    day_of_month: int | None
    turnaround_display: str


class ServiceLevelIn(Schema):
    task_kind: str
    rule: TurnaroundRule = TurnaroundRule.BUSINESS_DAYS
    business_days: int | None = None
    day_of_month: int | None = Field(None, description="31 means the month's last day.")


class ServiceLevelPatch(Schema):
    task_kind: str | None = None
    rule: TurnaroundRule | None = None
    business_days: int | None = None
    day_of_month: int | None = None


class ResponseTargetOut(Schema):
    severity: Severity
    amount: int | None = Field(description="None: no target for this severity.")
    unit: TargetUnit | None
    target_display: str | None


class ResponseTargetIn(Schema):
    amount: int | None = Field(description="null clears the target.")
    unit: TargetUnit = TargetUnit.HOURS


class WorkflowStepOut(Schema):
    id: int
    position: int
    actor: Party
    action: str
    recipient: Party | None
    due: str
    sentence: str

    @staticmethod
    def resolve_recipient(step):
        return step.recipient or None


class WorkflowStepIn(Schema):
    actor: Party
    action: str
    recipient: Party | None = None
    due: str = ""


class WorkflowStepPatch(Schema):
    actor: Party | None = None
    action: str | None = None
    recipient: Party | None = None
    due: str | None = None


class WorkflowMoveIn(Schema):
    direction: Literal[-1, 1] = Field(description="-1 moves the step up, 1 down.")
