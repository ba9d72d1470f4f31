"""Demo data for a first look, and simulated customers that keep writing.

Everything is made through the ordinary actions, so the demo exercises the same paths
(events, counters, system lines) as real traffic and stays correct when they change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass

from sqlalchemy import select

from livedesk.actions.admin import (
    do_create_channel,
    do_create_livechat,
    do_create_user,
    do_set_members,
)
from livedesk.actions.apps import do_create_app
from livedesk.actions.auth import do_create_admin, do_set_status
from livedesk.actions.conversations import do_customer_message, do_operator_message
from livedesk.actions.sessions import do_close, do_take
from livedesk.actions.widget import do_create_visitor
from livedesk.db.session import DbSession
from livedesk.lib.access import load_roles
from livedesk.lib.passwords import hash_password_async
from livedesk.models import (
    Channel,
    ChannelKind,
    ChatSession,
    Contact,
    LiveChat,
    SessionStatus,
    User,
    UserStatus,
)
from livedesk.realtime.runtime import Runtime
from livedesk.schemas.apps import AppCreate, FieldDef
from livedesk.schemas.livechats import ChannelCreate, MembersIn
from livedesk.schemas.users import UserCreate

log = logging.getLogger(__name__)

Login = tuple[str, str, str]

ADMIN = ("admin@livedesk.local", "admin", "Administrator")
# Demo widget channels carry this config key; the simulation writes only in them, so that
# `--simulate` never disturbs a real channel.
DEMO_FLAG = "demo"
SIMULATION_SEED = 20240601
SIMULATION_JITTER = 0.5  # the delay varies by +-50% of the interval
FOLLOW_UP_SHARE = 0.4  # how often an open visitor writes again rather than a new one


@dataclass(frozen=True)
class _Person:
    email: str
    name: str
    password: str
    locale: str = "en"
    online: bool = True


@dataclass(frozen=True)
class _Chat:
    name: str
    locale: str
    operators: tuple[str, ...]
    supervisors: tuple[str, ...]


@dataclass(frozen=True)
class _Talk:
    """One session: lines ("c" customer, "o" operator reply, "n" internal note).

    ``operator`` takes the session before its first reply; ``closed`` closes it at the end.
    A later talk of the same customer in the same live chat reuses the contact (returning).
    """

    chat: str
    customer: str | None
    lines: tuple[tuple[str, str], ...]
    operator: str | None = None
    closed: bool = False


ANNA, BORIS, OLGA = "anna@livedesk.local", "boris@livedesk.local", "olga@livedesk.local"
SAM, MAX = "sam@livedesk.local", "max@livedesk.local"
SUPPORT, SALES, SUPPORT_RU = "Support", "Sales", "Поддержка RU"

_PEOPLE = (
    _Person(ANNA, "Anna Petrova", "operator"),
    _Person(BORIS, "Boris Ivanov", "operator"),
    _Person(OLGA, "Olga Smirnova", "operator", locale="ru", online=False),
    _Person(SAM, "Sam Carter", "supervisor"),
    _Person(MAX, "Max Weber", "operator"),
)

_CHATS = (
    _Chat(SUPPORT, "en", operators=(ANNA, BORIS, MAX), supervisors=(SAM,)),
    _Chat(SALES, "en", operators=(BORIS, OLGA), supervisors=(SAM, MAX)),
    _Chat(SUPPORT_RU, "ru", operators=(ANNA, OLGA), supervisors=(SAM,)),
)

_TALKS = (
    # Support
    _Talk(
        SUPPORT,
        "Oliver Smith",
        (
            ("c", "Hi, my discount code SPRING10 doesn't work at checkout."),
            ("o", "Hi Oliver, sorry about that! I've re-enabled it, please try again."),
            ("c", "Works now, thanks a lot."),
            ("o", "Glad to help. Have a nice day!"),
        ),
        operator=BORIS,
        closed=True,
    ),
    _Talk(
        SUPPORT,
        "Emma Brown",
        (
            ("c", "How do I change my password?"),
            ("o", "Open Settings → Security → Change password."),
            ("c", "Done, thank you!"),
        ),
        operator=ANNA,
        closed=True,
    ),
    _Talk(
        SUPPORT,
        "James Wilson",
        (
            ("c", "Hello, my order #10482 hasn't arrived yet."),
            ("o", "Hi James, I'm Anna. Let me check the tracking for you."),
            ("o", "It is with the courier and should arrive tomorrow before 6 pm."),
            ("c", "Great, thanks! Can I still change the delivery address?"),
        ),
        operator=ANNA,
    ),
    _Talk(
        SUPPORT,
        "Sophie Martin",
        (
            ("c", "Is there a way to export my invoices as PDF?"),
            ("o", "Yes: Billing → Invoices → Export. Shall I send you a link to the guide?"),
        ),
        operator=BORIS,
    ),
    _Talk(
        SUPPORT,
        "Daniel Kim",
        (
            ("c", "Your checkout page shows error 502 when I pay by card."),
            ("n", "Escalated to the payments team, ticket OPS-231."),
            ("o", "Thanks for reporting it, Daniel. We're looking into it right now."),
            ("c", "OK, I'll wait. Should I try PayPal meanwhile?"),
        ),
        operator=MAX,
    ),
    _Talk(
        SUPPORT,
        "Emily Clark",
        (
            ("c", "Hi! I can't log in, the password reset e-mail never arrives."),
            ("c", "I've checked the spam folder too."),
        ),
    ),
    _Talk(
        SUPPORT,
        "Lucas Meyer",
        (("c", "The Android app crashes when I open the Orders tab (Android 14, Pixel 7)."),),
    ),
    _Talk(
        SUPPORT,
        "Oliver Smith",
        (("c", "Hi again! The code applies now, but shipping was charged twice."),),
    ),
    # Sales
    _Talk(
        SALES,
        "Ava Miller",
        (
            ("c", "Thanks for the quote, we're ready to sign tomorrow."),
            ("o", "Wonderful, Ava! I'll send the contract this evening."),
        ),
        operator=OLGA,
        closed=True,
    ),
    _Talk(
        SALES,
        "Noah Davis",
        (
            ("c", "Could I get a demo of the Enterprise plan next week?"),
            ("o", "Sure! Would Tuesday at 3 pm CET work for you?"),
            ("c", "Tuesday works for us."),
        ),
        operator=BORIS,
    ),
    _Talk(
        SALES,
        "Liam Garcia",
        (
            ("c", "What's the difference between the Team and Business plans?"),
            ("o", "Business adds SSO, the audit log and priority support."),
        ),
        operator=OLGA,
    ),
    _Talk(SALES, "Mia Johnson", (("c", "Hello! Do you offer volume discounts for 50+ seats?"),)),
    _Talk(SALES, None, (("c", "Do you ship to Canada?"),)),
    # Поддержка RU
    _Talk(
        SUPPORT_RU,
        "Алексей Смирнов",
        (
            ("c", "Здравствуйте, не могу войти в личный кабинет."),
            ("o", "Добрый день, Алексей! Сбросила пароль, проверьте почту."),
            ("c", "Всё работает, спасибо."),
        ),
        operator=ANNA,
        closed=True,
    ),
    _Talk(
        SUPPORT_RU,
        "Елена Васильева",
        (
            ("c", "Подскажите, где найти счёт-фактуру за март?"),
            ("o", "В личном кабинете: Документы → Счета."),
            ("c", "Нашла, спасибо!"),
        ),
        operator=OLGA,
        closed=True,
    ),
    _Talk(
        SUPPORT_RU,
        "Дмитрий Козлов",
        (
            ("c", "Здравствуйте, заказ №58213 пришёл не полностью: нет зарядного устройства."),
            ("o", "Добрый день, Дмитрий! Меня зовут Анна, сейчас разберёмся."),
            ("o", "Отправим зарядку курьером завтра, бесплатно."),
            ("c", "Спасибо, буду ждать!"),
        ),
        operator=ANNA,
    ),
    _Talk(
        SUPPORT_RU,
        "Иван Петров",
        (
            ("c", "Здравствуйте! Не приходит SMS с кодом подтверждения."),
            ("c", "Номер тот же, что в профиле."),
        ),
    ),
    _Talk(SUPPORT_RU, "Мария Соколова", (("c", "Добрый день, как перейти на годовой тариф?"),)),
    _Talk(
        SUPPORT_RU,
        "Алексей Смирнов",
        (("c", "Снова здравствуйте! Теперь не отображается история заказов."),),
    ),
)

_SIM_NAMES = {
    "en": ("Grace Lee", "Henry Moore", "Chloe Taylor", "Jack White", "Zoe Harris", None),
    "ru": ("Ольга Новикова", "Сергей Морозов", "Анна Волкова", "Павел Лебедев", None),
}
_SIM_OPENERS = {
    "en": (
        "Hi! Where can I find my order status?",
        "Hello, do you have this jacket in size M?",
        "Can I pay by bank transfer?",
        "My promo code says it has expired, but it shouldn't have.",
        "How long does delivery to Berlin take?",
        "I was charged twice for one order, please help.",
    ),
    "ru": (
        "Здравствуйте! Где посмотреть статус заказа?",
        "Добрый день, можно оплатить по счёту для юрлица?",
        "Сколько идёт доставка в Казань?",
        "Промокод не применяется, что делать?",
        "С карты списали деньги дважды, помогите, пожалуйста.",
    ),
}
_SIM_FOLLOW_UPS = {
    "en": (
        "Hello? Is anyone there?",
        "Any news on this?",
        "The order number is #10517.",
        "Thanks, I'll wait.",
        "Also, can I change the delivery date?",
    ),
    "ru": (
        "Есть кто-нибудь?",
        "Подскажите, пожалуйста, есть новости?",
        "Спасибо, жду ответа.",
        "И ещё: можно изменить дату доставки?",
    ),
}


async def load_demo_if_empty(rt: Runtime) -> list[Login]:
    """Load demo users, live chats and sessions into a database without users.

    Returns the logins to print as (e-mail, password, role), or [] when there are users
    already (the demo never touches a database in use).
    """
    async with rt.read() as db:
        if (await db.execute(select(User.id).limit(1))).first() is not None:
            return []
    users, channels = await _load_team(rt)
    contacts: dict[tuple[str, str | None], int] = {}
    for talk in _TALKS:
        await _play(rt, talk, users, channels[talk.chat], contacts)
    async with rt.tx() as db:
        for person in _PEOPLE:
            if not person.online:
                await do_set_status(db, await _user(db, users[person.email]), UserStatus.offline)
    return _logins()


def _logins() -> list[Login]:
    logins = [(ADMIN[0], ADMIN[1], "admin")]
    for person in _PEOPLE:
        roles = []
        for kind in ("operator", "supervisor"):
            names = [c.name for c in _CHATS if person.email in getattr(c, f"{kind}s")]
            if names:
                roles.append(f"{kind}: {', '.join(names)}")
        offline = "" if person.online else " (offline)"
        logins.append((person.email, person.password, "; ".join(roles) + offline))
    return logins


async def _user(db: DbSession, user_id: int) -> User:
    user = await db.get(User, user_id)
    assert user is not None
    return user


async def _load_team(rt: Runtime) -> tuple[dict[str, int], dict[str, int]]:
    """Users (all online to start with) and live chats with members and a widget each.

    Returns user ids by e-mail and widget channel ids by live chat name.
    """
    async with rt.tx() as db:
        await do_create_admin(db, *ADMIN)
        users: dict[str, int] = {}
        for person in _PEOPLE:
            data = UserCreate(
                email=person.email, name=person.name, password=person.password, locale=person.locale
            )
            user = await do_create_user(db, data, await hash_password_async(person.password))
            await do_set_status(db, user, UserStatus.online)
            users[person.email] = user.id
        channels = {chat.name: await _create_chat(db, chat, users) for chat in _CHATS}
        await _create_apps(db)
    return users, channels


DEMO_APPS = (
    AppCreate(
        name="Requests",
        fields=[
            FieldDef(key="subject", label="Subject", type="string", required=True),
            FieldDef(key="customer", label="Customer", type="contact"),
            FieldDef(key="session_link", label="Chat", type="string"),
            FieldDef(key="transcript", label="Transcript", type="text"),
            FieldDef(
                key="status", label="Status", type="select", options=["new", "in progress", "done"]
            ),
            FieldDef(key="due", label="Due", type="date"),
        ],
    ),
    AppCreate(
        name="Customers",
        fields=[
            FieldDef(key="name", label="Name", type="string", required=True),
            FieldDef(key="phone", label="Phone", type="phone"),
            FieldDef(key="email", label="E-mail", type="email"),
            FieldDef(key="username", label="Username", type="string"),
            FieldDef(key="vip", label="VIP", type="boolean"),
        ],
    ),
)


async def _create_apps(db: DbSession) -> None:
    """A request app and a customer app, bound to the support live chats."""
    requests, customers = [await do_create_app(db, spec) for spec in DEMO_APPS]
    rows = await db.execute(select(LiveChat).where(LiveChat.name.in_((SUPPORT, SUPPORT_RU))))
    for chat in rows.scalars():
        chat.settings = {
            **chat.settings,
            "item_app_id": requests.id,
            "customer_app_id": customers.id,
        }


async def _create_chat(db: DbSession, chat: _Chat, users: dict[str, int]) -> int:
    livechat = await do_create_livechat(db, chat.name, None)
    members = MembersIn(
        operators=[users[e] for e in chat.operators],
        supervisors=[users[e] for e in chat.supervisors],
    )
    await do_set_members(db, livechat, members)
    config = {DEMO_FLAG: True, "locale": chat.locale}
    spec = ChannelCreate(kind=ChannelKind.widget, name="Website", config=config)
    channel, _ = await do_create_channel(db, livechat, spec)
    return channel.id


async def _visitor(
    db: DbSession, talk: _Talk, channel: Channel, contacts: dict[tuple[str, str | None], int]
) -> Contact:
    """The talk's customer: a returning one when they wrote in this live chat before."""
    known = contacts.get((talk.chat, talk.customer)) if talk.customer else None
    if known is not None:
        contact = await db.get(Contact, known)
        assert contact is not None
        return contact
    contact, _ = await do_create_visitor(db, channel, talk.customer, None)
    contacts[(talk.chat, talk.customer)] = contact.id
    return contact


async def _play(
    rt: Runtime,
    talk: _Talk,
    users: dict[str, int],
    channel_id: int,
    contacts: dict[tuple[str, str | None], int],
) -> None:
    """Replay one talk line by line, a transaction per step, as it would happen live."""
    session_id, taken = 0, False
    for kind, text in talk.lines:
        async with rt.tx() as db:
            if kind == "c":
                channel = await db.get(Channel, channel_id)
                assert channel is not None
                contact = await _visitor(db, talk, channel, contacts)
                session_id = (await do_customer_message(db, contact, channel, text)).session_id
                continue
            assert talk.operator is not None, "operator lines need an operator"
            user = await _user(db, users[talk.operator])
            roles = await load_roles(db, user.id)
            if not taken:
                await do_take(db, user, roles, session_id)
                taken = True
            await do_operator_message(db, user, roles, session_id, text, internal=kind == "n")
    if talk.closed and talk.operator is not None:
        async with rt.tx() as db:
            user = await _user(db, users[talk.operator])
            await do_close(db, user, await load_roles(db, user.id), session_id)


async def run_simulation(
    rt: Runtime,
    interval_secs: float = 4.0,
    stop: asyncio.Event | None = None,
    max_messages: int | None = None,
) -> None:
    """Keep simulated customers writing in the demo widget channels until cancelled,
    ``stop`` is set or ``max_messages`` were sent. Without demo channels it just waits.
    """
    rng = random.Random(SIMULATION_SEED)
    stop = stop or asyncio.Event()
    sent = 0
    while max_messages is None or sent < max_messages:
        delay = interval_secs * rng.uniform(1 - SIMULATION_JITTER, 1 + SIMULATION_JITTER)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        if stop.is_set():
            return
        try:
            sent += await _simulate_once(rt, rng)
        except Exception:
            # A demo hiccup (e.g. the database restarting) must not end the simulation.
            log.exception("simulated customer failed")


async def _simulate_once(rt: Runtime, rng: random.Random) -> int:
    """One customer message: a follow-up of an open visitor or a new visitor. Returns 0|1."""
    async with rt.tx() as db:
        channels = await _demo_channels(db)
        if not channels:
            return 0
        channel = rng.choice(channels)
        locale = "ru" if channel.config.get("locale") == "ru" else "en"
        waiting = await _open_contacts(db, channel)
        if waiting and rng.random() < FOLLOW_UP_SHARE:
            contact = rng.choice(waiting)
            text = rng.choice(_SIM_FOLLOW_UPS[locale])
        else:
            contact, _ = await do_create_visitor(db, channel, rng.choice(_SIM_NAMES[locale]), None)
            text = rng.choice(_SIM_OPENERS[locale])
        await do_customer_message(db, contact, channel, text)
    return 1


async def _demo_channels(db: DbSession) -> list[Channel]:
    rows = await db.execute(
        select(Channel)
        .where(Channel.kind == ChannelKind.widget, Channel.is_active.is_(True))
        .order_by(Channel.id)
    )
    # JSON lookups differ between SQLite and PostgreSQL; there are few channels.
    return [c for c in rows.scalars() if c.config.get(DEMO_FLAG) is True]


async def _open_contacts(db: DbSession, channel: Channel) -> list[Contact]:
    rows = await db.execute(
        select(Contact)
        .join(ChatSession, ChatSession.contact_id == Contact.id)
        .where(ChatSession.channel_id == channel.id, ChatSession.status != SessionStatus.closed)
        .order_by(Contact.id)
    )
    return list(rows.scalars())
