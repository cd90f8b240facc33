"""Two admin sites.

* ``/admin/`` — the Django admin of the active tenant, for the platform's staff only (``is_staff``) who also
  administer that tenant. It runs inside the tenant context (the middleware), so every list and form sees only
  the active tenant's rows. Tenant administrators do their everyday administration in the product's own pages
  (``/administration/``): one without ``is_staff`` is sent there; anyone else gets 403.
* ``/platform/`` — the platform administrators' site (superusers): create tenants and platform users.
"""

from __future__ import annotations

from functools import update_wrapper

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from .audit import record_event
from .models import AuditEvent, Locality, Membership, Team, Tenant, User
from .permissions import Capability, has_capability
from .tenancy import platform_context


class TenantAdminSite(admin.AdminSite):
    site_header = "Early Help — administration"
    site_title = "Early Help administration"
    index_title = "Your local authority"

    def has_permission(self, request):
        return bool(self._administers_tenant(request) and request.user.is_staff)

    @staticmethod
    def _administers_tenant(request) -> bool:
        return bool(
            request.user.is_active
            and has_capability(getattr(request, "membership", None), Capability.ADMINISTER_TENANT)
        )

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                if self._administers_tenant(request):
                    # A tenant administrator who is not the platform's staff: their pages are elsewhere.
                    return redirect("administration")
                raise PermissionDenied("The Django admin is for the platform's staff only.")
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, view)

    def each_context(self, request):
        context = super().each_context(request)
        tenant = getattr(request, "tenant", None)
        if tenant is not None:
            context["site_header"] = f"{tenant.name} — administration"
        return context


class PlatformAdminSite(admin.AdminSite):
    site_header = "Early Help — platform administration"
    site_title = "Platform administration"

    def has_permission(self, request):
        return bool(request.user.is_active and request.user.is_superuser)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            # Platform code: the one place a person works across tenants (creating tenants and their first
            # tenant administrator). Superusers only.
            with platform_context():
                return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, view)


tenant_admin_site = TenantAdminSite(name="tenant_admin")
platform_site = PlatformAdminSite(name="platform_admin")


class TenantModelAdmin(admin.ModelAdmin):
    """A ModelAdmin for tenant-owned rows: the tenant admin may do everything inside their tenant; every
    change is audited. The queryset is already scoped by the tenant context."""

    def has_module_permission(self, request):
        return tenant_admin_site.has_permission(request)

    has_view_permission = has_add_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: tenant_admin_site.has_permission(request)
    )

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Another tenant's row, or none at all: a plain 404, never a hint that it exists elsewhere.
        raise Http404(f"No {opts.verbose_name} with that identifier.")

    def save_model(self, request, obj, form, change):
        obj.tenant = request.tenant
        super().save_model(request, obj, form, change)
        record_event(action=f"admin.{'changed' if change else 'added'}", actor=request.user, obj=obj)

    def delete_model(self, request, obj):
        record_event(action="admin.deleted", actor=request.user, obj=obj)
        super().delete_model(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Related choices come from the scoped default manager: never another tenant's rows.
        kwargs.setdefault("queryset", db_field.related_model._default_manager.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", db_field.related_model._default_manager.all())
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Locality, site=tenant_admin_site)
class LocalityAdmin(TenantModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Team, site=tenant_admin_site)
class TeamAdmin(TenantModelAdmin):
    list_display = ["name", "locality"]
    list_filter = ["locality"]
    search_fields = ["name"]


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "teams", "is_active", "is_registered_social_worker", "social_work_england_number"]


class MembershipInline(admin.StackedInline):
    model = Membership
    form = MembershipForm
    extra = 1
    max_num = 1
    can_delete = False
    filter_horizontal = ["teams"]

    def get_queryset(self, request):
        return Membership.objects.all()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", Team.objects.all())
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    has_view_permission = has_add_permission = has_change_permission = (
        lambda self, request, obj=None: tenant_admin_site.has_permission(request)
    )


class TenantUser(User):
    """The users of the active tenant (those with a membership in it), for the tenant admin."""

    class Meta:
        proxy = True
        verbose_name = "user"


class TenantUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = TenantUser
        fields = ["username", "first_name", "last_name", "email"]


@admin.register(TenantUser, site=tenant_admin_site)
class TenantUserAdmin(admin.ModelAdmin):
    """Create users and give them a role in this tenant. A user shared with another tenant keeps their
    password and name; only their membership here can be changed."""

    add_form = TenantUserCreationForm
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "role"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fields = ["username", "first_name", "last_name", "email"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
            kwargs["fields"] = None
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["username", "first_name", "last_name", "email", "password1", "password2"]})]
        return super().get_fieldsets(request, obj)

    def get_queryset(self, request):
        member_ids = Membership.objects.values("user_id")
        return TenantUser.objects.filter(pk__in=member_ids)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and Membership.all_tenants.filter(user=obj).exclude(tenant=request.tenant).exists():
            return ["username", "first_name", "last_name", "email"]
        return []

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(f"No {opts.verbose_name} with that identifier.")

    @admin.display(description="role")
    def role(self, obj):
        membership = Membership.objects.filter(user=obj).first()
        return membership.get_role_display() if membership else "—"

    def has_module_permission(self, request):
        return tenant_admin_site.has_permission(request)

    has_view_permission = has_add_permission = has_change_permission = (
        lambda self, request, obj=None: tenant_admin_site.has_permission(request)
    )

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate the membership instead: audit events keep pointing at the user

    def save_formset(self, request, form, formset, change):
        for membership in formset.save(commit=False):
            membership.tenant = request.tenant
            membership.save()
            record_event(action="membership.saved", actor=request.user, obj=membership,
                         detail={"role": membership.role, "user": membership.user.username})
        formset.save_m2m()


class TenantSettingsForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = [
            "financial_year_start_month",
            "re_referral_window_months",
            "reopen_window_months",
            "small_number_threshold",
            "rate_decimal_places",
            "report_brand_name",
            "service_model",
            "s17_lead_must_be_social_worker",
            "supporting_families_enabled",
        ]


class TenantSettings(Tenant):
    class Meta:
        proxy = True
        verbose_name = "local authority settings"
        verbose_name_plural = "local authority settings"


@admin.register(TenantSettings, site=tenant_admin_site)
class TenantSettingsAdmin(admin.ModelAdmin):
    form = TenantSettingsForm
    list_display = ["name", "financial_year_start_month", "re_referral_window_months", "small_number_threshold"]

    def get_queryset(self, request):
        return TenantSettings.objects.filter(pk=request.tenant.pk)

    def has_module_permission(self, request):
        return tenant_admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None):
        return tenant_admin_site.has_permission(request)

    has_change_permission = has_view_permission

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_event(action="tenant.settings_changed", actor=request.user, tenant=request.tenant,
                     object_type="earlyhelp.tenant", object_public_id=str(obj.public_id),
                     detail={"changed": form.changed_data})


@admin.register(AuditEvent, site=tenant_admin_site)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "actor", "actor_label", "action", "object_type", "object_public_id",
                    "source_ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_public_id", "actor__username", "action"]
    date_hierarchy = "occurred_at"

    def has_module_permission(self, request):
        return tenant_admin_site.has_permission(request)

    def has_view_permission(self, request, obj=None):
        return tenant_admin_site.has_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tenant, site=platform_site)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "financial_year_start_month", "small_number_threshold", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(User, site=platform_site)
class PlatformUserAdmin(UserAdmin):
    pass


class PlatformMembershipForm(forms.ModelForm):
    tenant = forms.ModelChoiceField(queryset=Tenant.objects.all())

    class Meta:
        model = Membership
        fields = ["user", "role", "is_active"]


@admin.register(Membership, site=platform_site)
class PlatformMembershipAdmin(admin.ModelAdmin):
    """Give a user a role in a tenant — typically a new tenant's first tenant administrator."""

    form = PlatformMembershipForm
    fields = ["tenant", "user", "role", "is_active"]
    list_display = ["user", "tenant", "role", "is_active"]
    list_filter = ["tenant", "role"]
    autocomplete_fields = ["user"]

    def get_form(self, request, obj=None, **kwargs):
        # ``tenant`` is the form's own field: the model's is not editable, and naming it to the form factory
        # (as ``fields`` above would) is refused with a FieldError.
        kwargs["fields"] = PlatformMembershipForm.Meta.fields
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            form.base_fields["tenant"].initial = obj.tenant_id
        return form

    def save_model(self, request, obj, form, change):
        obj.tenant = form.cleaned_data["tenant"]
        super().save_model(request, obj, form, change)
        record_event(action="membership.saved_by_platform", actor=request.user, obj=obj,
                     detail={"role": obj.role, "user": obj.user.username})
