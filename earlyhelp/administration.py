"""The tenant administrator's everyday work, as services: people and their roles in the council, teams,
localities, and the council's settings (issue #19 item 4: the product's own pages, not the Django admin).

Every function takes the acting administrator as ``by`` (earlyhelp.actors) and checks
``Capability.ADMINISTER_TENANT`` inside, writes in one transaction and audits with ``record_event(by=...)``. The
rules that keep a council's administration inside the council:

* an administrator adds people to their own council only; a username already used by anyone outside this council
  is refused (the people of other councils are not theirs to touch, or to find out about);
* roles are the council roles of :class:`~earlyhelp.permissions.Role`: nobody is made a platform administrator
  (``is_staff``/``is_superuser``) here, and nothing here changes a password or a user's other memberships;
* people are never deleted (the audit log keeps pointing at them): a membership is deactivated, and can be
  reactivated;
* an administrator does not change or deactivate their own membership, and the council keeps at least one active
  tenant administrator.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .actors import require
from .audit import record_event
from .models import Locality, Membership, Team, Tenant, User
from .permissions import Capability, Role

TENANT_SETTINGS_FIELDS = ["re_referral_window_months", "reopen_window_months", "small_number_threshold",
                          "rate_decimal_places", "financial_year_start_month", "report_brand_name",
                          "service_model", "s17_lead_must_be_social_worker"]


def _same_council(by, *objects) -> None:
    """Never another council's rows, whatever the caller passed in (views find them with the scoped managers, so
    they are a 404 there already)."""
    for obj in objects:
        if obj is not None and obj.tenant_id != by.tenant_id:
            raise PermissionDenied("That record belongs to another council.")


def _teams(by, teams: Iterable[Team]) -> list[Team]:
    teams = list(teams or [])
    _same_council(by, *teams)
    return teams


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": "Choose one of the council's roles."})


def _active_admins_besides(membership: Membership) -> int:
    return (Membership.objects.filter(role=Role.TENANT_ADMIN, is_active=True, user__is_active=True)
            .exclude(pk=membership.pk).count())


def _not_self(by, membership: Membership, what: str) -> None:
    if membership.pk == by.pk:
        raise ValidationError(f"You cannot {what} your own membership: ask another tenant administrator.")


@transaction.atomic
def member_add(*, by, username: str, first_name: str, last_name: str, email: str, role: str,
               teams: Iterable[Team] = ()) -> Membership:
    """Add a new person to ``by``'s council with ``role`` (and teams). They have no password yet: they choose one
    from the invitation (``earlyhelp.administration_views.send_invitation``)."""
    require(by, Capability.ADMINISTER_TENANT)
    username = (username or "").strip()
    errors = {}
    if not username:
        errors["username"] = "Enter a username."
    elif User.objects.filter(username__iexact=username).exists():
        if Membership.objects.filter(user__username__iexact=username).exists():
            errors["username"] = "This person is already a member of the council: change their role instead."
        else:
            errors["username"] = ("This username is already in use. Choose another (a person who already works "
                                  "for another council is given a role here by the platform administrator).")
    if not (email or "").strip():
        errors["email"] = "Enter an email address: the invitation to choose a password is sent there."
    if role not in Role.values:
        errors["role"] = "Choose one of the council's roles."
    if errors:
        raise ValidationError(errors)
    teams = _teams(by, teams)
    user = User(username=username, first_name=first_name.strip(), last_name=last_name.strip(),
                email=email.strip(), is_staff=False, is_superuser=False)
    user.set_unusable_password()
    user.save()
    membership = Membership.objects.create(tenant=by.tenant, user=user, role=role)
    membership.teams.set(teams)
    record_event(action="membership.added", by=by, obj=membership,
                 detail={"user": username, "role": role, "teams": [t.name for t in teams]})
    return membership


@transaction.atomic
def member_change(*, by, membership: Membership, role: str, teams: Iterable[Team] = (),
                  is_registered_social_worker: bool | None = None, social_work_england_number: str | None = None
                  ) -> Membership:
    """Change a member's role and teams in ``by``'s council, and (when given) their Social Work England
    registration (which lets them lead a case under section 17 where the council requires it)."""
    require(by, Capability.ADMINISTER_TENANT)
    _same_council(by, membership)
    _check_role(role)
    teams = _teams(by, teams)
    registered = membership.is_registered_social_worker if is_registered_social_worker is None \
        else is_registered_social_worker
    number = membership.social_work_england_number if social_work_england_number is None \
        else "".join(social_work_england_number.split()).upper()
    if registered and not number:
        raise ValidationError({"social_work_england_number": "Enter the Social Work England registration number, "
                                                             "like SW123456."})
    if len(number) > Membership._meta.get_field("social_work_england_number").max_length:
        raise ValidationError({"social_work_england_number": "The registration number is at most 20 characters."})
    if role != membership.role:
        _not_self(by, membership, "change the role of")
        if (membership.role == Role.TENANT_ADMIN and membership.is_active
                and not _active_admins_besides(membership)):
            raise ValidationError({"role": "The council needs at least one active tenant administrator."})
    before = {"role": membership.role, "teams": sorted(t.name for t in membership.teams.all()),
              "social_worker": [membership.is_registered_social_worker, membership.social_work_england_number]}
    membership.role = role
    membership.is_registered_social_worker, membership.social_work_england_number = registered, number
    membership.save(update_fields=["role", "is_registered_social_worker", "social_work_england_number"])
    membership.teams.set(teams)
    after = {"role": role, "teams": sorted(t.name for t in teams), "social_worker": [registered, number]}
    if after != before:
        record_event(action="membership.role_changed", by=by, obj=membership,
                     detail={"user": membership.user.username, "before": before, "after": after})
    return membership


@transaction.atomic
def member_deactivate(*, by, membership: Membership) -> Membership:
    """Stop a member working in the council. Nothing is deleted: their records and the audit log keep their
    name, and they can be reactivated."""
    require(by, Capability.ADMINISTER_TENANT)
    _same_council(by, membership)
    _not_self(by, membership, "deactivate")
    if not membership.is_active:
        return membership
    if membership.role == Role.TENANT_ADMIN and not _active_admins_besides(membership):
        raise ValidationError("The council needs at least one active tenant administrator.")
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    record_event(action="membership.deactivated", by=by, obj=membership, detail={"user": membership.user.username})
    return membership


@transaction.atomic
def member_reactivate(*, by, membership: Membership) -> Membership:
    require(by, Capability.ADMINISTER_TENANT)
    _same_council(by, membership)
    if membership.is_active:
        return membership
    membership.is_active = True
    membership.save(update_fields=["is_active"])
    record_event(action="membership.reactivated", by=by, obj=membership, detail={"user": membership.user.username})
    return membership


def _unique_name(model, name: str, instance=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter a name."})
    clash = model.objects.filter(name__iexact=name)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise ValidationError({"name": f"The council already has a {model._meta.verbose_name} called “{name}”."})
    return name


@transaction.atomic
def team_save(*, by, name: str, locality: Locality | None, team: Team | None = None) -> Team:
    """Add a team to ``by``'s council (``team`` None) or rename it / move it to another locality."""
    require(by, Capability.ADMINISTER_TENANT)
    _same_council(by, team, locality)
    name = _unique_name(Team, name, team)
    created = team is None
    team = team or Team(tenant=by.tenant)
    before = {"name": team.name, "locality": str(team.locality or "")}
    team.name, team.locality = name, locality
    team.save()
    record_event(action="team.created" if created else "team.updated", by=by, obj=team,
                 detail={"name": name, "locality": str(locality or ""), **({} if created else {"before": before})})
    return team


@transaction.atomic
def locality_save(*, by, name: str, locality: Locality | None = None) -> Locality:
    """Add a locality to ``by``'s council (``locality`` None) or rename it."""
    require(by, Capability.ADMINISTER_TENANT)
    _same_council(by, locality)
    name = _unique_name(Locality, name, locality)
    created = locality is None
    locality = locality or Locality(tenant=by.tenant)
    before = locality.name
    locality.name = name
    locality.save()
    record_event(action="locality.created" if created else "locality.updated", by=by, obj=locality,
                 detail={"name": name, **({} if created else {"before": before})})
    return locality


@transaction.atomic
def tenant_settings_update(*, by, **values) -> Tenant:
    """Change the council's own settings (windows, thresholds, rounding, the name on reports): only the fields of
    :data:`TENANT_SETTINGS_FIELDS`, each within its model's limits."""
    require(by, Capability.ADMINISTER_TENANT)
    unknown = set(values) - set(TENANT_SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(f"These settings cannot be changed here: {', '.join(sorted(unknown))}.")
    tenant = Tenant.objects.select_for_update().get(pk=by.tenant_id)
    changed = {name: {"before": getattr(tenant, name), "after": value}
               for name, value in values.items() if getattr(tenant, name) != value}
    for name, value in values.items():
        setattr(tenant, name, value)
    tenant.full_clean(exclude=[f.name for f in Tenant._meta.fields if f.name not in values])
    if changed:
        tenant.save(update_fields=list(changed))
        record_event(action="tenant.settings_changed", by=by, tenant=tenant, object_type="earlyhelp.tenant",
                     object_public_id=str(tenant.public_id), detail={"changed": changed})
    return tenant
