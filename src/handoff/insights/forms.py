"""Forms of the check-in pages: the answer to one check-in, and the organization's settings."""

from django import forms

from handoff.insights import checkins
from handoff.insights.models import InsightsSettings

SCALE = [
    (1, "1 — Poor"),
    (2, "2 — Fair"),
    (3, "3 — Good"),
    (4, "4 — Very good"),
    (5, "5 — Excellent"),
]


class CheckInForm(forms.Form):
    note = forms.CharField(
        label="Anything to add? (optional)",
        required=False,
        max_length=checkins.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, them: str, **kwargs):
        super().__init__(*args, **kwargs)
        asked = {
            name: forms.TypedChoiceField(
                label=text,
                choices=SCALE,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose a number from 1 to 5."},
            )
            for name, text in checkins.questions(them).items()
        }
        self.fields = {**asked, "note": self.fields["note"]}


class CheckInSettingsForm(forms.Form):
    checkin_months = forms.TypedChoiceField(
        label="Ask how it is going",
        choices=InsightsSettings.Cadence.choices,
        coerce=int,
        help_text="Each new period starts a round about the period just ended, for every "
        "provider with an active engagement.",
    )
    ask_provider = forms.BooleanField(
        label="Ask the provider's point person too, about working with us",
        required=False,
        help_text="Through the portal if they use it, otherwise by e-mail. Their view is "
        "shown apart from ours.",
    )
