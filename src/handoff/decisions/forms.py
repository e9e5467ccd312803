from django import forms

from handoff.decisions.models import BusinessFunction


class BusinessFunctionForm(forms.ModelForm):
    class Meta:
        model = BusinessFunction
        fields = ["name", "description"]
        labels = {"name": "New business function"}
