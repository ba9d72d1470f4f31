"""Synthetic but plausible support-chat text: customer names and message bodies.

Words are drawn with Zipf-like weights, so that a few are in a large share of the
messages and most are rare, as in real chat history; search queries are taken at chosen
ranks (common to rare) so that both ends of the index are measured.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

from livedesk.lib.textsearch import fold

SUPPORT_WORDS = [
    "order",
    "delivery",
    "refund",
    "payment",
    "invoice",
    "account",
    "password",
    "login",
    "parcel",
    "courier",
    "address",
    "tracking",
    "number",
    "card",
    "bank",
    "transfer",
    "discount",
    "coupon",
    "subscription",
    "cancel",
    "return",
    "exchange",
    "warranty",
    "broken",
    "missing",
    "damaged",
    "late",
    "urgent",
    "please",
    "thanks",
    "hello",
    "help",
    "problem",
    "question",
    "price",
    "shipping",
    "store",
    "size",
    "color",
    "model",
    "screen",
    "battery",
    "charger",
    "cable",
    "update",
    "app",
    "website",
    "email",
    "phone",
    "receipt",
    "manager",
    "waiting",
    "today",
    "tomorrow",
    "yesterday",
    "week",
    "month",
    "заказ",
    "доставка",
    "возврат",
    "оплата",
    "счёт",
    "пароль",
    "посылка",
    "курьер",
    "адрес",
    "скидка",
    "спасибо",
    "здравствуйте",
    "помогите",
    "проблема",
    "вопрос",
    "магазин",
    "размер",
    "телефон",
]
FIRST_NAMES = [
    "Ivan",
    "Olga",
    "Anna",
    "Petr",
    "Maria",
    "Sergey",
    "Elena",
    "Dmitry",
    "Natalia",
    "Alexei",
    "John",
    "Emma",
    "Liam",
    "Sofia",
    "Noah",
    "Mia",
    "Lucas",
    "Chloe",
    "Mateo",
    "Léa",
    "Jürgen",
    "Zoë",
    "Björn",
    "Ana",
    "Ахмед",
    "Светлана",
    "Игорь",
    "Ксения",
]
LAST_NAMES = [
    "Petrov",
    "Ivanova",
    "Smirnov",
    "Kuznetsova",
    "Popov",
    "Sokolova",
    "Lebedev",
    "Novak",
    "Müller",
    "Garcia",
    "Rossi",
    "Dubois",
    "Jensen",
    "Nowak",
    "Silva",
    "Kowalski",
    "Tanaka",
    "Okafor",
    "Haddad",
    "Иванов",
    "Петрова",
    "Сидоров",
    "Орлова",
]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "su",
    "ra",
    "te",
    "vo",
    "zi",
    "bu",
    "da",
    "fe",
    "gi",
    "ho",
    "ju",
    "ly",
]
VOCABULARY_SIZE = 5_000
WORDS_PER_MESSAGE = (4, 14)
# Ranks of the words searched for: very common to rare.
QUERY_RANKS = (0, 3, 30, 300, 3_000)
# Distinct message bodies; a history of a million messages repeats them (drawing every
# message afresh would make the generator slower than the database writing them).
MESSAGE_POOL = 50_000


def _pseudo_words(count: int) -> list[str]:
    words = ("".join(p) for n in (2, 3, 4) for p in itertools.product(SYLLABLES, repeat=n))
    return list(itertools.islice(words, count))


@dataclass
class Corpus:
    rng: random.Random
    words: list[str]
    cum_weights: list[float]
    _pool: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def create(cls, seed: int = 6) -> Corpus:
        words = list(SUPPORT_WORDS)
        words += _pseudo_words(VOCABULARY_SIZE - len(words))
        weights = itertools.accumulate(1.0 / (rank + 1) for rank in range(len(words)))
        return cls(random.Random(seed), words, list(weights))

    def _fresh_message(self) -> str:
        count = self.rng.randint(*WORDS_PER_MESSAGE)
        chosen = self.rng.choices(self.words, cum_weights=self.cum_weights, k=count)
        return " ".join(chosen).capitalize()

    def message(self) -> tuple[str, str]:
        """A message body and its folded form (``messages.text``, ``messages.search_text``)."""
        if not self._pool:
            texts = (self._fresh_message() for _ in range(MESSAGE_POOL))
            self._pool = [(t, fold(t)) for t in texts]
        return self._pool[self.rng.randrange(MESSAGE_POOL)]

    def name(self, n: int) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)} {n}"

    def message_queries(self) -> list[str]:
        return [self.words[r] for r in QUERY_RANKS if r < len(self.words)]

    @staticmethod
    def name_queries() -> list[str]:
        return ["petrov", "anna", "müller", "иванов", "okafor 1"]
