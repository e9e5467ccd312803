from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.text import slugify

from handoff.accounts import security_events, throttle
from handoff.accounts.models import Organization
from handoff.core.backup import MIN_PASSPHRASE
from handoff.core.choices import CURRENCIES, US_STATES, time_zone_choices
from handoff.core.links import absolute_url
from handoff.core.roles import Role


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def clean(self):
        """An account that has failed too often waits before the password is even checked."""
        if settings.AXES_ENABLED:
            wait = throttle.account_wait(self.cleaned_data.get("username") or "")
            if wait:
                raise forms.ValidationError(
                    f"Too many failed log-ins for this account: try again in {wait} seconds.",
                    code="throttled",
                )
        try:
            return super().clean()
        except forms.ValidationError:
            if settings.AXES_ENABLED:
                username = self.cleaned_data.get("username") or ""
                wait = throttle.account_wait(username)
                if wait:
                    security_events.account_waits(self.request, username, wait)
            raise


class SitePasswordResetForm(PasswordResetForm):
    """Django's password reset, with the link in the e-mail built from the site URL (like
    every other link that leaves the app) rather than from the host the request came to."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        context["reset_url"] = absolute_url(
            "accounts:password_reset_confirm", uidb64=context["uid"], token=context["token"]
        )
        super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class SignupForm(forms.Form):
    """The first step of sign-up: who, and where to mail the link that proves the address."""

    name = forms.CharField(
        label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class PasswordField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label="Password",
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=password_validation.password_validators_help_text_html(),
            **kwargs,
        )


class SignupFinishForm(forms.Form):
    """The second step, from the link in the e-mail: the name again, and a password."""

    name = forms.CharField(label="Your name", max_length=150)
    password = PasswordField()


class InvitationSignupForm(forms.Form):
    """Sign-up from an invitation: the e-mail address is the invitation's."""

    name = forms.CharField(label="Your name", max_length=150)
    password = PasswordField()


class OrganizationForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=time_zone_choices, initial="America/New_York")
    currency = forms.ChoiceField(choices=CURRENCIES, initial="USD")
    states = forms.MultipleChoiceField(
        label="US states where it operates",
        choices=US_STATES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "state"}),
        help_text="Contractor rules and tax forms depend on the state.",
    )

    class Meta:
        model = Organization
        fields = ["name", "slug", "time_zone", "currency", "states"]
        labels = {"name": "Business name", "slug": "Address"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields[
            "slug"
        ].help_text = "Appears in addresses (/o/address/). Left empty, it is made from the name."

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or slugify(self.cleaned_data.get("name", ""))[:60]
        if not slug:
            raise forms.ValidationError("Give an address of letters and digits.")
        return slug


class BackupForm(forms.Form):
    """An optional passphrase that seals the archive; typed twice, since a lost one loses it."""

    MIN_LENGTH = MIN_PASSPHRASE

    passphrase = forms.CharField(
        label="Passphrase (optional)",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=(
            f"Encrypts the archive. At least {MIN_LENGTH} characters; keep it safe — without it "
            "the archive cannot be restored."
        ),
    )
    passphrase_again = forms.CharField(
        label="Passphrase again",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        passphrase = data.get("passphrase", "")
        if passphrase and len(passphrase) < self.MIN_LENGTH:
            self.add_error("passphrase", f"Use {self.MIN_LENGTH} characters or more.")
        elif passphrase != data.get("passphrase_again", ""):
            self.add_error("passphrase_again", "The two passphrases differ.")
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name", max_length=100, help_text="What will use it, e.g. 'accounting sync'."
    )


class PortalSettingsForm(forms.Form):
    show_prices = forms.BooleanField(
        label="Show engagement prices to providers",
        required=False,
        help_text="Off: the portal shows the work, never what you pay.",
    )
