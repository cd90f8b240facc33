from .permissions import capabilities_for


def tenancy(request):
    membership = getattr(request, "membership", None)
    return {
        "tenant": getattr(request, "tenant", None),
        "membership": membership,
        "memberships": getattr(request, "memberships", []),
        "can": {cap.replace(".", "_"): True for cap in capabilities_for(membership.role if membership else None)},
    }
