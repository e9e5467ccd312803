from django import forms

from handoff.signatures.services import MAX_DOCUMENT_BYTES


class ConsentForm(forms.Form):
    agree = forms.BooleanField(
        label="I have read the notice and agree to sign electronically.", required=False
    )


class SignForm(forms.Form):
    shown_sha256 = forms.CharField(widget=forms.HiddenInput, required=False)
    # Filled in by the signature pad (static/handoff/signature-pad.js) with a PNG data URL;
    # empty without a drawing or without JavaScript. Checked by services.sign.
    drawn_signature = forms.CharField(widget=forms.HiddenInput, required=False)
    typed_name = forms.CharField(
        label="Type your full name to sign",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    agree = forms.BooleanField(label="I have read the document above and sign it.", required=False)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why do you decline?",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VerifyForm(forms.Form):
    file = forms.FileField(label="The signed PDF")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError("Choose a PDF of at most 10 MB.")
        return upload
