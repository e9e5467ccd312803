from django import forms

from handoff.notifications.events import Event
from handoff.notifications.models import (
    MAX_DUE_SOON_HOURS,
    Webhook,
    WebhookFormat,
)


class SettingsForm(forms.Form):
    due_soon_hours = forms.IntegerField(
        label="Warn me about work due within (hours)",
        min_value=1,
        max_value=MAX_DUE_SOON_HOURS,
        help_text="A task due sooner than this shows up as “due soon” (24 hours unless you "
        "choose).",
    )
    daily_digest = forms.BooleanField(
        label="Send me one summary e-mail a day instead of an e-mail each time",
        required=False,
    )


def event_field_names(event: str) -> tuple[str, str]:
    return f"{event}__in_app", f"{event}__email"


class EventChoicesForm(forms.Form):
    """One pair of checkboxes (inbox, e-mail) per event."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for event in Event:
            in_app, email = event_field_names(event.value)
            self.fields[in_app] = forms.BooleanField(label=f"{event.label}: inbox", required=False)
            self.fields[email] = forms.BooleanField(label=f"{event.label}: e-mail", required=False)

    def rows(self):
        for event in Event:
            in_app, email = event_field_names(event.value)
            yield event, self[in_app], self[email]

    def choices(self) -> dict[str, dict]:
        return {
            event.value: {
                "in_app": self.cleaned_data[event_field_names(event.value)[0]],
                "email": self.cleaned_data[event_field_names(event.value)[1]],
            }
            for event in Event
        }


class WebhookForm(forms.ModelForm):
    url = forms.URLField(
        label="Webhook address",
        max_length=500,
        assume_scheme="https",
        help_text="The incoming webhook address from Slack (app settings → Incoming Webhooks) "
        "or Teams (channel → Workflows → “Post to a channel when a webhook request is "
        "received”). It must start with https://.",
    )
    events = forms.MultipleChoiceField(
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Events to send",
    )

    class Meta:
        model = Webhook
        fields = ["name", "url", "format", "events", "active"]
        widgets = {"format": forms.RadioSelect(choices=WebhookFormat.choices)}
        help_texts = {
            "active": "Inactive webhooks keep their history but receive nothing.",
        }
