from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form with GOV.UK classes and autocomplete hints."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"class": "govuk-input govuk-input--width-20",
                                                     "autocomplete": "username", "spellcheck": "false"})
        self.fields["password"].widget.attrs.update({"class": "govuk-input govuk-input--width-20",
                                                     "autocomplete": "current-password"})


def show_service_errors(form: forms.BaseForm, error) -> None:
    """Show a service's rule (a ValidationError) on the form: on its field when the form has it, else at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
