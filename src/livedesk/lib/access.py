"""Who may see what. Every route fetches through here; anything not visible is a 404.

Rules (PRODUCT.md, "Groups"): a supervisor of a live chat sees all its sessions; an
operator sees its unassigned sessions, the sessions assigned to them, and the closed
sessions that were theirs. Admins manage live chats but see sessions only as members.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from livedesk.db.session import DbSession
from livedesk.lib.errors import not_found
from livedesk.models import ChatSession, Contact, Item, LiveChat, Membership, SessionStatus, User
from livedesk.realtime.members_cache import read_through


@dataclass(frozen=True)
class Roles:
    """A user's roles in every live chat they belong to."""

    user_id: int
    operator_of: frozenset[int] = field(default_factory=frozenset)
    supervisor_of: frozenset[int] = field(default_factory=frozenset)

    @property
    def livechats(self) -> frozenset[int]:
        return self.operator_of | self.supervisor_of

    def roles_in(self, livechat_id: int) -> list[str]:
        roles = []
        if livechat_id in self.operator_of:
            roles.append("operator")
        if livechat_id in self.supervisor_of:
            roles.append("supervisor")
        return roles

    def can_see(self, s: ChatSession) -> bool:
        if s.livechat_id in self.supervisor_of:
            return True
        if s.livechat_id not in self.operator_of:
            return False
        return s.status is SessionStatus.unassigned or self.user_id in (
            s.assignee_id,
            s.last_assignee_id,
        )


async def load_roles(db: DbSession, user_id: int) -> Roles:
    return await read_through(db, "user", user_id, lambda: _read_roles(db, user_id))


async def _read_roles(db: DbSession, user_id: int) -> Roles:
    rows = await db.execute(
        select(Membership.livechat_id, Membership.is_operator, Membership.is_supervisor).where(
            Membership.user_id == user_id
        )
    )
    ops, sups = set(), set()
    for livechat_id, is_op, is_sup in rows:
        if is_op:
            ops.add(livechat_id)
        if is_sup:
            sups.add(livechat_id)
    return Roles(user_id, frozenset(ops), frozenset(sups))


def visible_sessions(roles: Roles) -> ColumnElement[bool]:
    """SQL form of ``Roles.can_see`` for lists and search."""
    clauses: list[ColumnElement[bool]] = []
    if roles.supervisor_of:
        clauses.append(ChatSession.livechat_id.in_(roles.supervisor_of))
    if roles.operator_of:
        mine = or_(
            ChatSession.status == SessionStatus.unassigned,
            ChatSession.assignee_id == roles.user_id,
            ChatSession.last_assignee_id == roles.user_id,
        )
        clauses.append(and_(ChatSession.livechat_id.in_(roles.operator_of), mine))
    return or_(*clauses) if clauses else false()


async def access_session(
    db: DbSession, roles: Roles, session_id: int, *, for_update: bool = False
) -> ChatSession:
    """Fetch a session the user may see (row-locked with ``for_update``), else 404."""
    query = select(ChatSession).where(ChatSession.id == session_id)
    if for_update:
        query = query.with_for_update()
    s = (await db.execute(query)).scalar_one_or_none()
    if s is None or not roles.can_see(s):
        raise not_found("session")
    return s


async def access_livechat(db: DbSession, roles: Roles, user: User, livechat_id: int) -> LiveChat:
    """A live chat the user belongs to (or any, for an admin), else 404."""
    chat = await db.get(LiveChat, livechat_id)
    if chat is None or not (user.is_admin or livechat_id in roles.livechats):
        raise not_found("live chat")
    return chat


async def access_contact(db: DbSession, roles: Roles, contact_id: int) -> Contact:
    """A contact with at least one session the user may see, else 404."""
    contact = await db.get(Contact, contact_id)
    if contact is None or contact.livechat_id not in roles.livechats:
        raise not_found("contact")
    seen = await db.execute(
        select(ChatSession.id)
        .where(ChatSession.contact_id == contact_id, visible_sessions(roles))
        .limit(1)
    )
    if seen.first() is None:
        raise not_found("contact")
    return contact


def visible_items(roles: Roles, is_admin: bool) -> ColumnElement[bool]:
    """Items a user may see: admins all; others those of their live chats, and the items
    created outside any live chat (shared records, e.g. from the app's own page)."""
    if is_admin:
        return true()
    return or_(Item.livechat_id.is_(None), Item.livechat_id.in_(roles.livechats))


async def access_item(
    db: DbSession,
    roles: Roles,
    is_admin: bool,
    app_id: int,
    item_id: int,
    *,
    for_update: bool = False,
) -> Item:
    query = select(Item).where(
        Item.id == item_id, Item.app_id == app_id, visible_items(roles, is_admin)
    )
    if for_update:
        query = query.with_for_update()
    item = (await db.execute(query)).scalar_one_or_none()
    if item is None:
        raise not_found("item")
    return item
