"""Documents uploaded to a case: PDF, Word (DOCX), PNG, JPEG or plain text up to 10 MB. The type is decided by the
file's content (its signature), and must agree with the extension; the file is stored under a random name."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from earlyhelp.actors import require, user_of
from earlyhelp.audit import record_event
from earlyhelp.permissions import Capability

from ..models import Case, CaseDocument
from ._common import check_one_tenant

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# extension -> (content type, the extensions that name the same type)
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".txt": "text/plain",
}
ACCEPT = ",".join(DOCUMENT_TYPES)


def sniff_extension(data: bytes) -> str | None:
    """The extension the content really is (by its signature), or None when it is none of the accepted types."""
    if data.startswith(b"%PDF-"):
        return ".pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if data.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        return ".docx" if {"[Content_Types].xml", "word/document.xml"} <= names else None
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.lstrip()[:200].lower().startswith(("<!doctype", "<html", "<script", "<svg", "<?xml")):
        return None  # markup a browser could be talked into rendering is not plain text
    return ".txt"


def document_upload(*, case: Case, upload, kind: str, title: str = "", by) -> CaseDocument:
    """Store an uploaded file against a case after checking its size and that its content is what its extension
    says (a renamed executable or HTML page is refused)."""
    require(by, Capability.EDIT_CHILD_RECORDS)
    check_one_tenant(case)
    if kind not in CaseDocument.Kind.values:
        raise ValidationError({"kind": "Choose what kind of document it is."})
    if upload is None:
        raise ValidationError({"upload": "Choose a file."})
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"upload": "The file must be smaller than 10 MB."})
    if upload.size == 0:
        raise ValidationError({"upload": "The file is empty."})
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in DOCUMENT_TYPES:
        raise ValidationError({"upload": "The file must be a PDF, DOCX, PNG, JPEG or TXT."})
    data = upload.read()
    sniffed = sniff_extension(data)
    if sniffed is None or DOCUMENT_TYPES[sniffed] != DOCUMENT_TYPES[extension]:
        raise ValidationError({"upload": f"The file's content is not a {extension.lstrip('.').upper()} file."})
    document = CaseDocument(
        tenant=case.tenant, case=case, kind=kind, title=(title or name).strip()[:200], original_name=name[:255],
        content_type=DOCUMENT_TYPES[extension], extension=extension, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by=user_of(by),
    )
    document.file.save(f"upload{extension}", ContentFile(data), save=False)
    document.save()
    record_event(action="document.uploaded", by=by, obj=document,
                 detail={"size": document.size, "type": document.content_type})
    return document


def document_download(*, document: CaseDocument, by):
    """Open a document's file for reading, recording the download. The caller has checked access to the case."""
    require(by, Capability.VIEW_CHILD_RECORDS)
    check_one_tenant(document)
    record_event(action="document.downloaded", by=by, obj=document, detail={"case": str(document.case.public_id)})
    return document.file.open("rb")
