"""Per-tenant export: every row a tenant owns, as a zip of CSV files (one per table) with a manifest, for a local
authority leaving the service or keeping its own copy.

The zip holds ``tables/<app>.<model>.csv`` for every tenant-owned table (foreign keys as the ids inside the
export, so the tables join up), ``tables/<app>.<model>.<field>.csv`` for many-to-many links, ``tables/
earlyhelp.user.csv`` for the tenant's members (no password hashes), uploaded and generated files under ``files/``,
and ``manifest.json`` with each table's row count and SHA-256. Secrets (API token hashes) are left out. Text cells
that a spreadsheet would run as a formula are prefixed with an apostrophe. Must run in the tenant's context.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from typing import BinaryIO

from django.apps import apps
from django.db import models
from django.utils import timezone

from .access_log import safe_cell
from .models import Membership, User
from .tenancy import TenantModel, current_tenant

EXCLUDED_FIELDS = {"earlyhelp.apiclient": {"token_hash"}}
USER_FIELDS = ["id", "public_id", "username", "first_name", "last_name", "email", "is_active", "last_login"]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return safe_cell(json.dumps(value, sort_keys=True, default=str))
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return safe_cell(value)


def _csv(header: list[str], rows) -> tuple[bytes, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([_cell(v) for v in row])
        count += 1
    return buffer.getvalue().encode("utf-8"), count


def tenant_models() -> list[type[models.Model]]:
    return sorted((m for m in apps.get_models() if issubclass(m, TenantModel)), key=lambda m: m._meta.label_lower)


def tenant_export_zip(*, out: BinaryIO, include_files: bool = True) -> dict:
    """Write the tenant-in-context's export to ``out`` (a binary file); return the manifest."""
    tenant = current_tenant()
    if tenant is None:
        raise ValueError("a tenant export runs inside the tenant's context")
    manifest = {"local_authority": tenant.name, "slug": tenant.slug, "tenant_public_id": str(tenant.public_id),
                "generated_at": timezone.now().isoformat(timespec="seconds"), "tables": {}, "files": 0,
                "formula_cells": "text cells starting with = + - @ tab or CR are prefixed with an apostrophe"}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, header: list[str], rows) -> None:
            data, count = _csv(header, rows)
            archive.writestr(f"tables/{name}.csv", data)
            manifest["tables"][name] = {"rows": count, "sha256": hashlib.sha256(data).hexdigest()}

        for model in tenant_models():
            label = model._meta.label_lower
            fields = [f for f in model._meta.concrete_fields
                      if f.name != "tenant" and f.name not in EXCLUDED_FIELDS.get(label, set())]
            header = [f.attname for f in fields]
            queryset = model.objects.order_by("pk")
            add(label, header, queryset.values_list(*header).iterator(chunk_size=2000))
            for m2m in model._meta.many_to_many:
                through = m2m.remote_field.through
                source = m2m.m2m_field_name()
                target = m2m.m2m_reverse_field_name()
                links = through.objects.filter(**{f"{source}__in": queryset.values("pk")}).order_by("pk")
                add(f"{label}.{m2m.name}", [f"{source}_id", f"{target}_id"],
                    links.values_list(f"{source}_id", f"{target}_id").iterator())
            if include_files:
                for f in (f for f in fields if isinstance(f, models.FileField)):
                    for stored in queryset.exclude(**{f.name: ""}).values_list(f.name, flat=True):
                        storage = f.storage
                        if storage.exists(stored):
                            with storage.open(stored, "rb") as handle:
                                archive.writestr(f"files/{stored}", handle.read())
                            manifest["files"] += 1
        users = User.objects.filter(pk__in=Membership.objects.values("user_id")).order_by("pk")
        add("earlyhelp.user", USER_FIELDS, users.values_list(*USER_FIELDS))
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
    return manifest
