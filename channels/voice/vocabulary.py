"""The company's own words the recogniser must know: its customers', projects' and suppliers'
names, read from the books for each spoken turn. Their fingerprint tells when a grammar built
from them is out of date (a customer was added or renamed)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.models import Customer, Project, Supplier

# Company forms people leave out when they say a name ("Fjord Bygg AS" is "Fjord Bygg").
COMPANY_FORMS = frozenset({"as", "asa", "enk", "da", "ans", "sa", "ba", "ks", "nuf", "ltd", "inc", "ab", "gmbh"})
MAX_NAMES = 400


@dataclass(frozen=True)
class Vocabulary:
    """Names as people say them.

    Attributes:
      customers, projects, vendors: each name's spoken words, lowercase ("fjord bygg").
      spellings: a spoken word → how the books write it ("bygg" → "Bygg"), to show a
        transcript with the names as written.
    """

    customers: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    vendors: tuple[str, ...] = ()
    spellings: tuple[tuple[str, str], ...] = ()

    @property
    def fingerprint(self) -> str:
        text = "\n".join(["|".join(self.customers), "|".join(self.projects), "|".join(self.vendors)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def words(self) -> set[str]:
        return {w for name in (*self.customers, *self.projects, *self.vendors) for w in name.split()}

    def spelled(self, text: str) -> str:
        """`text` with the names' words written as in the books."""
        spelling = dict(self.spellings)
        return " ".join(spelling.get(word, word) for word in text.split())


def spoken_form(name: str) -> tuple[str, list[str]]:
    """A name as said (lowercase words, no company form, no punctuation) and its words as
    written: "Hansen Rør AS" → ("hansen rør", ["Hansen", "Rør"])."""
    written = [w for w in re.split(r"[\s\-/&.,()]+", name) if w]
    kept = [w for w in written if re.fullmatch(r"[^\W\d_]+", w) and w.lower() not in COMPANY_FORMS]
    return " ".join(w.lower() for w in kept), kept


def vocabulary_from_names(customers: list[str], projects: list[str], vendors: list[str]) -> Vocabulary:
    spellings: dict[str, str] = {}

    def spoken(names: list[str]) -> tuple[str, ...]:
        said: list[str] = []
        for name in names:
            form, written = spoken_form(name)
            if form and form not in said:
                said.append(form)
                for word in written:
                    spellings.setdefault(word.lower(), word)
        return tuple(sorted(said))

    return Vocabulary(spoken(customers), spoken(projects), spoken(vendors), tuple(sorted(spellings.items())))


def company_vocabulary(session: Session, company_id: int) -> Vocabulary:
    """The names of `company_id`'s customers, active projects and suppliers."""
    customers = session.scalars(
        select(Customer.name).where(Customer.company_id == company_id).order_by(Customer.id).limit(MAX_NAMES)
    ).all()
    projects = session.scalars(
        select(Project.name)
        .where(Project.company_id == company_id, Project.active.is_(True))
        .order_by(Project.id)
        .limit(MAX_NAMES)
    ).all()
    vendors = session.scalars(
        select(Supplier.name).where(Supplier.company_id == company_id).order_by(Supplier.id).limit(MAX_NAMES)
    ).all()
    return vocabulary_from_names(list(customers), list(projects), list(vendors))
