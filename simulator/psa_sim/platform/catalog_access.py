"""Who may read and write a catalog bucket, from its owner.

The real catalog (ow2-proactive/catalog: service/AuthorizationService.java,
RestApiAccessService.java, service/GrantRightsService.java, rest/controller/
BucketController.java) decides from the bucket's owner, a `GROUP:<name>` string:
catalog administrators may do anything; a user in the owner group may read and write
the bucket; a bucket owned by `GROUP:public-objects` (the default, and the bundled
`service-automation`) is public; a bucket can only be created for a group its creator
belongs to (or public). Fine-grained grants are not emulated.

One deliberate difference: the real catalog lets every user write a public bucket.
Here only administrators may, so that a plain user cannot delete or overwrite the
bundled workflows everyone's instances depend on (the simulator's users file is the
only place roles come from, and it has no catalog-specific role).
"""

from __future__ import annotations

from psa_sim import defaults
from psa_sim.errors import Forbidden
from psa_sim.platform.auth import User

GROUP_PREFIX = "GROUP:"


def is_public(owner: str) -> bool:
    return owner == defaults.BUCKET_OWNER


def belongs(user: User, owner: str) -> bool:
    """True if `owner` (a bucket's owner) names the user or one of their groups."""
    if owner.startswith(GROUP_PREFIX):
        return owner[len(GROUP_PREFIX) :] in user.groups
    return owner == user.name


def can_read(user: User, owner: str) -> bool:
    return user.admin or is_public(owner) or belongs(user, owner)


def check_read(user: User, bucket: str, owner: str) -> None:
    if not can_read(user, owner):
        raise Forbidden(
            f"bucket '{bucket}' belongs to {owner}: user '{user.name}' is not in that group"
        )


def check_write(user: User, bucket: str, owner: str) -> None:
    if user.admin or (not is_public(owner) and belongs(user, owner)):
        return
    if is_public(owner):
        raise Forbidden(f"bucket '{bucket}' is public ({owner}): only administrators may change it")
    raise Forbidden(f"bucket '{bucket}' belongs to {owner}: user '{user.name}' may not change it")


def check_owner(user: User, owner: str) -> None:
    """A bucket may be created public, or for the creator or one of their groups."""
    if user.admin or is_public(owner) or belongs(user, owner):
        return
    raise Forbidden(
        f"owner: user '{user.name}' may not create a bucket owned by '{owner}' (not one "
        f"of their groups: {', '.join(user.groups) or 'none'})"
    )
