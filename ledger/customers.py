"""Customers: creating, listing and finding them, and resolving a name as said.

People say "fjord bygg", "hansen" or "Hansen Ror" for "Hansen Rør AS". `resolve_customer`
turns such a name into one customer, or into the few that could be meant (so the chat can offer
a button for each), or refuses with `UnknownCustomer`. The matching itself (`match_names`) is a
pure function over `Choice` values; projects (`ledger.projects`) resolve the same way.

Customer numbers come from the company's unbroken "customer" series starting at 10000 (they
are used in KIDs and SAF-T).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.companies import company_by_id, valid_orgnr
from ledger.errors import DuplicateName, InvalidAmount, InvalidInput, UnknownCustomer
from ledger.models import Customer
from ledger.money import Money, money
from ledger.numbering import next_number
from ledger.text import without_controls

FIRST_CUSTOMER_NUMBER = 10000
MAX_NAME_LENGTH = 200
MAX_CANDIDATES = 5

LEGAL_FORMS = frozenset({"as", "asa", "ans", "da", "enk", "nuf", "sa", "ba", "ks", "ab", "gmbh", "ltd"})
"""Words naming a company form; nobody says them, so they do not count when matching."""

FUZZY_THRESHOLD = 0.78
"""How alike (0–1) a name as said must be to a known name to be offered at all."""

CLEAR_LEAD = 0.12
"""How far the best fuzzy match must lead the next one to be taken without asking."""


# --------------------------------------------------------------------------------------------
# Resolving a name as said


@dataclass(frozen=True)
class Choice:
    """Something a name can resolve to (a customer, supplier or project).

    Attributes:
      id: the row's id.
      name: its name as registered ("Hansen Rør AS").
      number: the customer or supplier number, when it has one.
      score: how well it matched what was said, 0–1 (1 for an exact match).
    """

    id: int
    name: str
    number: int | None = None
    score: float = 0.0


Outcome = Literal["exact", "one", "several", "none"]


@dataclass(frozen=True)
class Resolution:
    """What a name as said resolves to.

    Attributes:
      said: the name as said.
      outcome: "exact" (the name itself), "one" (one likely candidate), "several" (ask which;
        `candidates` lists them best first) or "none".
      candidates: the matches, best first (one for "exact" and "one").
    """

    said: str
    outcome: Outcome
    candidates: tuple[Choice, ...] = ()

    @property
    def chosen(self) -> Choice | None:
        """The one match, when there is no need to ask."""
        return self.candidates[0] if self.outcome in ("exact", "one") else None


def fold_name(name: str) -> str:
    """A name reduced to what matters for matching: lower case, æøå folded to ASCII, no
    punctuation, no company form ("Hansen Rør AS" -> "hansen ror")."""
    text = name.casefold().replace("&", " og ")
    text = re.sub(r"\ba\W?s\W*$", " as", text)  # "A/S", "a.s." at the end: the company form
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("aa", "a").replace("oe", "o")
    words = re.findall(r"[a-z0-9]+", text)
    kept = [w for w in words if w not in LEGAL_FORMS]
    return " ".join(kept or words)


def _word_score(said: str, word: str) -> float:
    if word.startswith(said):
        return 1.0
    # A typo in a word, or a word said in part ("hemsedl" for "hemsedal").
    whole = difflib.SequenceMatcher(None, said, word).ratio()
    head = difflib.SequenceMatcher(None, said, word[: len(said)]).ratio() if len(said) >= 4 else 0.0
    return max(whole, head)


def name_score(said: str, name: str) -> tuple[float, bool]:
    """How well `said` matches `name` (0–1), and whether every word said starts a word of it."""
    said_words, name_words = fold_name(said).split(), fold_name(name).split()
    if not said_words or not name_words:
        return 0.0, False
    prefix = all(any(w.startswith(s) for w in name_words) for s in said_words)
    per_word = [max(_word_score(s, w) for w in name_words) for s in said_words]
    whole = difflib.SequenceMatcher(None, " ".join(said_words), " ".join(name_words)).ratio()
    return max(sum(per_word) / len(per_word), whole), prefix


def match_names(said: str, choices: Iterable[Choice]) -> Resolution:
    """Resolve a name as said against `choices` (pure; see the module docstring)."""
    options = list(choices)
    target = fold_name(said)
    if not target:
        return Resolution(said, "none")
    stripped = said.strip()
    if stripped.isdigit():
        by_number = [c for c in options if c.number is not None and str(c.number) == stripped]
        if by_number:
            return Resolution(said, "exact", (_scored(by_number[0], 1.0),))
    exact = [c for c in options if fold_name(c.name) == target]
    if exact:
        literal = [c for c in exact if c.name.casefold() == stripped.casefold()]
        return Resolution(said, "exact", (_scored((literal or exact)[0], 1.0),))
    strong: list[Choice] = []
    fuzzy: list[Choice] = []
    for choice in options:
        score, prefix = name_score(said, choice.name)
        if prefix:
            strong.append(_scored(choice, max(score, 0.9)))
        elif score >= FUZZY_THRESHOLD:
            fuzzy.append(_scored(choice, score))
    ranked = sorted(strong, key=_rank) or sorted(fuzzy, key=_rank)
    if not ranked:
        return Resolution(said, "none")
    if len(ranked) == 1 or (not strong and ranked[0].score - ranked[1].score >= CLEAR_LEAD):
        return Resolution(said, "one", (ranked[0],))
    return Resolution(said, "several", tuple(ranked[:MAX_CANDIDATES]))


def _scored(choice: Choice, score: float) -> Choice:
    return Choice(id=choice.id, name=choice.name, number=choice.number, score=round(score, 3))


def _rank(choice: Choice) -> tuple[float, str]:
    return (-choice.score, choice.name.casefold())


# --------------------------------------------------------------------------------------------
# Checks on what a customer is made of


def clean_name(name: str) -> str:
    """A name as it is stored: no control characters, trimmed, single spaces, not empty, at
    most 200 characters."""
    cleaned = " ".join(without_controls(name).split())
    if not cleaned:
        raise InvalidInput("a name is needed", field="name")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInput(f"a name has at most {MAX_NAME_LENGTH} characters", field="name")
    return cleaned


def clean_email(email: str) -> str:
    """An e-mail address, lightly checked (one @, a dot in the domain, no spaces); "" is none."""
    email = email.strip()
    if not email:
        return ""
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or " " in email or "@" in domain:
        raise InvalidInput(f"not an e-mail address: {email!r}", field="email", email=email)
    return email


def hourly_rate_value(rate: Decimal | int | str | None) -> Money | None:
    """An hourly rate as money, positive; None when not given."""
    if rate is None or rate == "":
        return None
    value = money(rate)
    if value <= 0:
        raise InvalidAmount("an hourly rate must be more than zero", value=str(rate))
    return value


# --------------------------------------------------------------------------------------------
# Customers


def _refuse_taken_name(session: Session, company_id: int, name: str, other_than: int | None = None) -> None:
    """DuplicateName when another customer of the company (than `other_than`) has this name."""
    same = find_customer(session, company_id, name)
    if same is not None and same.id != other_than:
        raise DuplicateName(f"a customer named {same.name} exists", name=same.name, id=same.id)


def _refuse_taken_orgnr(session: Session, company_id: int, orgnr: str | None, other_than: int | None = None) -> None:
    """DuplicateName when another customer of the company (than `other_than`) has this
    organisation number."""
    if orgnr is None:
        return
    taken = select(Customer).where(Customer.company_id == company_id, Customer.orgnr == orgnr)
    same = session.scalar(taken if other_than is None else taken.where(Customer.id != other_than))
    if same is not None:
        raise DuplicateName(f"{same.name} has organisation number {orgnr}", name=same.name, orgnr=orgnr)


def create_customer(
    session: Session,
    company_id: int,
    name: str,
    *,
    orgnr: str | None = None,
    email: str = "",
    address: str = "",
    postcode: str = "",
    city: str = "",
    hourly_rate: Decimal | int | str | None = None,
) -> Customer:
    """Add a customer with the next customer number; names are unique per company."""
    company_by_id(session, company_id)
    cleaned = clean_name(name)
    number_value = valid_orgnr(orgnr) if orgnr else None
    email_value = clean_email(email)
    rate = hourly_rate_value(hourly_rate)
    # Taking the number locks the company's customer series, so two people adding the same
    # name at once are checked one after the other.
    number = next_number(session, company_id, "customer", first=FIRST_CUSTOMER_NUMBER)
    _refuse_taken_name(session, company_id, cleaned)
    _refuse_taken_orgnr(session, company_id, number_value)
    customer = Customer(
        company_id=company_id,
        number=number,
        name=cleaned,
        orgnr=number_value,
        email=email_value,
        address=address.strip(),
        postcode=postcode.strip(),
        city=city.strip(),
        hourly_rate=rate,
    )
    session.add(customer)
    session.flush()
    return customer


def update_customer(session: Session, company_id: int, customer_id: int, **changes: str | None) -> Customer:
    """Change a customer's `name`, `orgnr`, `email`, `address`, `postcode` or `city` (a name
    or organisation number another customer has is refused). Posted vouchers keep the name
    they were posted with; documents issued later carry the new one."""
    unknown = set(changes) - {"name", "orgnr", "email", "address", "postcode", "city"}
    if unknown:
        raise InvalidInput(f"a customer has no {sorted(unknown)[0]}", field=sorted(unknown)[0])
    customer = get_customer(session, company_id, customer_id)
    if changes.get("name") is not None:
        name = clean_name(str(changes["name"]))
        _refuse_taken_name(session, company_id, name, other_than=customer.id)
        customer.name = name
    if "orgnr" in changes:
        number_value = valid_orgnr(changes["orgnr"]) if changes["orgnr"] else None
        _refuse_taken_orgnr(session, company_id, number_value, other_than=customer.id)
        customer.orgnr = number_value
    if changes.get("email") is not None:
        customer.email = clean_email(str(changes["email"]))
    for field in ("address", "postcode", "city"):
        if changes.get(field) is not None:
            setattr(customer, field, " ".join(without_controls(str(changes[field])).split()))
    session.flush()
    return customer


def list_customers(session: Session, company_id: int) -> list[Customer]:
    """The company's customers by name."""
    return list(
        session.scalars(select(Customer).where(Customer.company_id == company_id).order_by(Customer.name, Customer.id))
    )


def get_customer(session: Session, company_id: int, customer_id: int) -> Customer:
    """The company's customer with this id; UnknownCustomer for any other."""
    customer = session.get(Customer, customer_id)
    if customer is None or customer.company_id != company_id:
        raise UnknownCustomer(f"no customer {customer_id}", customer_id=customer_id)
    return customer


def customer_by_number(session: Session, company_id: int, number: int) -> Customer:
    """The company's customer with this customer number; UnknownCustomer if none."""
    customer = session.scalar(select(Customer).where(Customer.company_id == company_id, Customer.number == number))
    if customer is None:
        raise UnknownCustomer(f"no customer number {number}", number=number)
    return customer


def find_customer(session: Session, company_id: int, name: str) -> Customer | None:
    """The customer whose name is `name` (ignoring case, spacing and company form), if any."""
    target = fold_name(name)
    for customer in list_customers(session, company_id):
        if fold_name(customer.name) == target:
            return customer
    return None


def customer_choices(session: Session, company_id: int) -> list[Choice]:
    return [Choice(c.id, c.name, c.number) for c in list_customers(session, company_id)]


def resolve_customer(session: Session, company_id: int, said: str) -> Resolution:
    """Which customer "fjord bygg" or "hansen" means: "exact", "one" or "several" candidates;
    UnknownCustomer when nothing is close."""
    resolution = match_names(said, customer_choices(session, company_id))
    if resolution.outcome == "none":
        raise UnknownCustomer(f"no customer like {said!r}", said=said)
    return resolution
