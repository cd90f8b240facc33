"""Forms of the partner registers' pages (GOV.UK classes come from the form renderer)."""

from __future__ import annotations

from django import forms

from ..forms import GovukForm
from ..models import Membership
from ..permissions import Role
from .models import LawfulBasis, PartnerOrganisation, Purpose, SharingSettings


class PartnerOrganisationForm(GovukForm):
    name = forms.CharField(max_length=200, label="Name")
    kind = forms.ChoiceField(choices=PartnerOrganisation.Kind.choices, widget=forms.RadioSelect,
                             label="Kind of organisation")
    urn = forms.CharField(max_length=6, required=False, label="URN (schools)",
                          help_text="6 digits, from Get Information about Schools.")
    ods_code = forms.CharField(max_length=10, required=False, label="ODS code (health)",
                               help_text="The NHS Organisation Data Service code, e.g. RJ1 or Y01234.")
    contact_email = forms.EmailField(required=False, label="Contact email",
                                     help_text="Who the council writes to about the agreement.")


class PartnerOrganisationEditForm(PartnerOrganisationForm):
    is_active = forms.BooleanField(required=False, label="Active",
                                   help_text="An inactive partner's systems, accounts and requests stop working.")


class SharingAgreementForm(GovukForm):
    title = forms.CharField(max_length=200, label="Title")
    reference = forms.CharField(max_length=60, required=False, label="Reference",
                                help_text="The council's reference, e.g. ISA-2026-014.")
    partners = forms.ModelMultipleChoiceField(queryset=PartnerOrganisation.objects.none(),
                                              widget=forms.CheckboxSelectMultiple, label="Partner organisations")
    purposes = forms.MultipleChoiceField(choices=Purpose.choices, widget=forms.CheckboxSelectMultiple,
                                         label="Purposes")
    lawful_basis = forms.ChoiceField(choices=LawfulBasis.choices, widget=forms.RadioSelect, label="Lawful basis")
    special_category_condition = forms.CharField(
        max_length=300, required=False, label="Special category condition",
        help_text="For health data: the Article 9 condition and DPA 2018 Schedule 1 paragraph.")
    data_items = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="Data items shared",
                                 help_text="One a line, e.g. “Child's name and date of birth”.")
    starts_on = forms.DateField(label="Starts on", help_text="YYYY-MM-DD")
    ends_on = forms.DateField(label="Ends on", help_text="YYYY-MM-DD. In force to the end of this day.")
    signed_copy = forms.FileField(required=False, label="Signed copy",
                                  help_text="PDF, Word or OpenDocument, up to 20 MB. The agreement is in force "
                                            "only once its signed copy is here.")

    querysets = {"partners": lambda: PartnerOrganisation.objects.filter(is_active=True)}


class SignedCopyForm(GovukForm):
    signed_copy = forms.FileField(label="Signed copy", help_text="PDF, Word or OpenDocument, up to 20 MB.")


class ExtendForm(GovukForm):
    ends_on = forms.DateField(label="New end date", help_text="YYYY-MM-DD")


class EndEarlyForm(GovukForm):
    on = forms.DateField(label="Not in force from", help_text="YYYY-MM-DD")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why it ends early")


class PartnerPractitionerForm(GovukForm):
    membership = forms.ModelChoiceField(queryset=Membership.objects.none(), label="Partner practitioner",
                                        help_text="Members with the partner practitioner role.")

    querysets = {"membership": lambda: Membership.objects.filter(role=Role.PARTNER, is_active=True)
                 .select_related("user")}


class SharingSettingsForm(GovukForm):
    partner_days_after_closure = forms.IntegerField(
        min_value=0, max_value=365, label="Days a partner still sees a closed case",
        help_text="0: only while the case is open.")
    partner_sections = forms.MultipleChoiceField(
        choices=SharingSettings.Section.choices, widget=forms.CheckboxSelectMultiple, required=False,
        label="Sections of a case partners may see",
        help_text="Social care history, notes and documents are never shown to partners.")
    expiry_warning_days = forms.IntegerField(min_value=1, max_value=180, label="Warn this many days before an "
                                                                               "agreement ends")
    contact_name = forms.CharField(max_length=200, required=False, label="Contact for partners' queries",
                                   help_text="Named in a “Known to Family Help” answer, e.g. Family Help front door.")
    contact_phone = forms.CharField(max_length=30, required=False, label="Phone")
    contact_email = forms.EmailField(required=False, label="Email")
    contact_address = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Address",
                                      help_text="One line per address line.")
    contact_postcode = forms.CharField(max_length=10, required=False, label="Postcode")
