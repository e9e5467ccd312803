"""Roles inside an organization and the one comparison every permission check uses."""

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


# Higher outranks lower; a role may do everything the roles below it may.
_RANK = {Role.VIEWER: 1, Role.MEMBER: 2, Role.MANAGER: 3, Role.ADMIN: 4, Role.OWNER: 5}

ROLE_HELP = {
    Role.OWNER: "Everything, including granting ownership.",
    Role.ADMIN: "Manages members, invitations and organization settings.",
    Role.MANAGER: "Adds and edits providers, contacts and the work sent to them.",
    Role.MEMBER: "Works with providers day to day.",
    Role.VIEWER: "Reads everything, changes nothing.",
}


def role_at_least(role: str, minimum: str) -> bool:
    return _RANK[Role(role)] >= _RANK[Role(minimum)]
