from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates


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


# The shared form rendering: every form of every app gets this bound field through ``FORM_RENDERER`` ------------

_CHOICE_GROUPS = {"radioselect", "checkboxselectmultiple"}
# The GOV.UK Design System class of each kind of widget, given to every form's widgets that set none (one rule for
# every app: ``GovukBoundField.build_widget_attrs``).
WIDGET_CLASSES = {
    "text": "govuk-input", "email": "govuk-input", "url": "govuk-input", "password": "govuk-input",
    "datetime": "govuk-input", "date": "govuk-input govuk-input--width-10",
    "number": "govuk-input govuk-input--width-10", "select": "govuk-select", "selectmultiple": "govuk-select",
    "textarea": "govuk-textarea", "checkbox": "govuk-checkboxes__input",
    "checkboxselectmultiple": "govuk-checkboxes__input", "radioselect": "govuk-radios__input",
    "clearablefile": "govuk-file-upload", "file": "govuk-file-upload",
}
_ERROR_CLASSES = {"govuk-select": "govuk-select--error", "govuk-textarea": "govuk-textarea--error",
                  "govuk-input": "govuk-input--error", "govuk-file-upload": "govuk-file-upload--error"}
_DJANGO_REQUIRED = str(forms.Field.default_error_messages["required"])


class GovukBoundField(BoundField):
    """A field as the GOV.UK Design System renders it: a hint with id ``<auto_id>-hint``, one error message with id
    ``<auto_id>-error``, the control described by both, and an ``anchor`` for the error summary (a group of radios
    or checkboxes is reached through its first option). A bare "This field is required." names the field."""

    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}-error"

    @property
    def is_choice_group(self) -> bool:
        return self.widget_type in _CHOICE_GROUPS

    @property
    def anchor(self) -> str:
        if self.is_choice_group:
            return f"{self.auto_id}_0"
        return self.id_for_label or self.auto_id

    @property
    def described_by(self) -> str:
        ids = ([self.hint_id] if self.help_text else []) + ([self.error_id] if self.errors else [])
        return " ".join(ids)

    @property
    def errors(self):
        errors = super().errors
        if _DJANGO_REQUIRED not in errors:
            return errors
        verb = "Select" if self.widget_type in _CHOICE_GROUPS | {"select", "selectmultiple", "clearablefile", "file"} \
            else "Enter"
        label = str(self.label or self.name).rstrip(":?")
        if not label[1:2].isupper():  # keep an acronym's capitals ("EHA completed")
            label = label[:1].lower() + label[1:]
        named = f"{verb} {label}"
        return errors.__class__([named if str(e) == _DJANGO_REQUIRED else e for e in errors],
                                error_class=getattr(errors, "error_class", None))

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if not (attrs.get("class") or widget.attrs.get("class")) and self.widget_type in WIDGET_CLASSES:
            attrs["class"] = WIDGET_CLASSES[self.widget_type]
        if self.errors:
            classes = (attrs.get("class") or widget.attrs.get("class", "")).split()
            classes += [_ERROR_CLASSES[c] for c in classes if c in _ERROR_CLASSES and _ERROR_CLASSES[c] not in classes]
            if classes:
                attrs["class"] = " ".join(classes)
        if self.is_choice_group:  # the fieldset carries the description, not each option
            attrs.pop("aria-describedby", None)
        elif self.described_by:
            attrs["aria-describedby"] = self.described_by
        else:
            attrs.pop("aria-describedby", None)  # Django's default names ``<auto_id>_helptext``, which we never render
        return attrs


class GovukFormRenderer(DjangoTemplates):
    """Django's renderer whose forms bind :class:`GovukBoundField` (settings ``FORM_RENDERER``)."""

    bound_field_class = GovukBoundField


class GovukForm(forms.Form):
    """A form whose choice fields' querysets are made per request, inside the tenant's scope (the scoped managers
    cannot be queried at import time). Widgets get their GOV.UK classes from :class:`GovukBoundField`, as every
    form's do."""

    #: field name → callable returning its queryset
    querysets: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, make in self.querysets.items():
            self.fields[name].queryset = make()
