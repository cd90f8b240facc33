"""Documents uploaded to a case. Files live in the default storage under MEDIA_ROOT (outside the web root) under
a random name; they are only ever streamed by a view that checks access to the case and audits the download."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from earlyhelp.tenancy import TenantForeignKey, TenantModel

from .casework import Case


def _document_path(instance: CaseDocument, filename: str) -> str:
    # Never the uploaded name: a random one, kept apart by tenant. The extension comes from the checked type.
    return f"case-documents/{instance.tenant.public_id}/{uuid.uuid4().hex}{instance.extension}"


class CaseDocument(TenantModel):
    class Kind(models.TextChoices):
        CONSENT_FORM = "consent_form", "Signed consent form"
        ASSESSMENT = "assessment", "Assessment or plan"
        LETTER = "letter", "Letter or report"
        PHOTO = "photo", "Photograph"
        OTHER = "other", "Other"

    case = TenantForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=_document_path, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.title
