"""Logging hours and seeing them, as the action server runs the form, the summary and the
confirmation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.confirmation import ActionConfirm
from actions.time import (
    FORM_SLOTS,
    ActionProposeLogTime,
    ActionShowTime,
    AskTimeCreateProject,
    AskTimeHours,
    AskTimeProject,
    ValidateLogTimeForm,
)
from actions.undo import ActionUndo
from ledger import clock
from ledger.customers import create_customer
from ledger.identity import add_user
from ledger.models import Project, TimeEntry
from ledger.projects import create_project
from ledger.timesheet import log_time
from tests.actions.chat_builders import (
    Conversation,
    Person,
    Said,
    action_books,
    form_domain,
    new_company,
    run,
    said,
)

__all__ = ["action_books"]

DOMAIN = form_domain("log_time_form", FORM_SLOTS)
TODAY = clock.today()


def books_with_projects(books: sessionmaker[Session]) -> tuple[Person, Person]:
    """Fjord Bygg AS with an owner, a staff member and three projects."""
    owner = new_company(books, vat_registered=True)
    with books.begin() as session:
        fjord = create_customer(session, owner.company_id, "Fjord Bygg AS", hourly_rate="1000")
        create_project(session, owner.company_id, "Nettside", customer_id=fjord.id)
        create_project(session, owner.company_id, "Nettbutikk")
        create_project(session, owner.company_id, "Support", customer_id=fjord.id)
        staff_id = add_user(session, owner.company_id, "Ola Ansatt", "staff").user.id
    return owner, Person(staff_id, owner.company_id, "staff")


def validate(tracker_text: str, asker: Person, extracted: dict[str, object], *, requested: str | None = None,
             slots: dict[str, object] | None = None, entities: dict[str, str | tuple[str, str]] | None = None,
             language: str = "nb") -> Said:
    conversation = Conversation(slots={"language": language, **(slots or {})}, active_loop="log_time_form",
                                requested_slot=requested)
    tracker = said(tracker_text, intent="log_time", entities=entities, asker=asker, language=language,
                   conversation=conversation, extracted=extracted)
    return run(ValidateLogTimeForm(), tracker, DOMAIN)


def entries(books: sessionmaker[Session]) -> list[tuple[str, Decimal, dt.date, int]]:
    with books.begin() as session:
        return [
            (e.project.name, e.hours, e.date, e.user_id)
            for e in session.scalars(select(TimeEntry).order_by(TimeEntry.id))
        ]


def confirm(asker: Person, proposal: Said, *, text: str = "ja", intent: str = "affirm") -> Said:
    pending = proposal.slots()["pending"]
    conversation = Conversation(slots={"pending": pending},
                                events=[{"event": "slot", "name": "pending", "value": pending}])
    return run(ActionConfirm(), said(text, intent=intent, asker=asker, message_id="m2", conversation=conversation))


def test_everything_said_at_once_is_summarised_then_saved_on_yes(action_books: sessionmaker[Session]) -> None:
    owner, _ = books_with_projects(action_books)
    checked = validate("før 3 timer på nettside", owner, {"time_hours": 3.0, "time_project": "nettside"},
                       entities={"hours": "3.0", "project": "nettside"})
    slots = checked.slots()
    assert slots["time_hours"] == "3.00"
    assert slots["time_project"] == "Nettside"
    assert slots["time_customer"] == "Fjord Bygg AS"
    assert slots["requested_slot"] is None
    assert checked.texts == []

    proposal = run(ActionProposeLogTime(), said("før 3 timer på nettside", intent="log_time", asker=owner,
                                                conversation=Conversation(slots=slots)))
    assert proposal.texts == [f"Føre 3 timer på Nettside (Fjord Bygg AS) i dag, {_nb(TODAY)}?"]
    assert [b["payload"] for b in proposal.buttons] == ["/affirm", "/deny"]
    assert all(proposal.slots()[s] is None for s in FORM_SLOTS)
    assert entries(action_books) == []

    done = confirm(owner, proposal)
    assert done.texts[0].startswith("3 timer ført på Nettside i dag.")
    assert entries(action_books) == [("Nettside", Decimal("3.00"), TODAY, owner.user_id)]


def test_no_changes_nothing(action_books: sessionmaker[Session]) -> None:
    owner, _ = books_with_projects(action_books)
    slots = {"time_hours": "2.00", "time_project": "Support", "time_project_id": 3}
    proposal = run(ActionProposeLogTime(), said("før 2 timer på support", intent="log_time", asker=owner,
                                                conversation=Conversation(slots=slots)))
    done = confirm(owner, proposal, text="nei", intent="deny")
    assert done.texts == ["OK, da lar jeg det være. Ingenting er ført."]
    assert entries(action_books) == []


def test_missing_hours_are_asked_for_first(action_books: sessionmaker[Session]) -> None:
    owner, _ = books_with_projects(action_books)
    checked = validate("før timer på support", owner, {"time_project": "support"}, entities={"project": "support"})
    assert checked.slots()["requested_slot"] == "time_hours"
    asked = run(AskTimeHours(), said("før timer på support", intent="log_time", asker=owner))
    assert asked.texts == ["Hvor mange timer?"]
    english = run(AskTimeHours(), said("log time on support", intent="log_time", asker=owner, language="en"))
    assert english.texts == ["How many hours?"]


def test_negative_hours_and_three_decimals_are_refused_with_the_reason(action_books: sessionmaker[Session]) -> None:
    owner, _ = books_with_projects(action_books)
    negative = validate("-3 timer", owner, {"time_hours": 3.0}, requested="time_hours",
                        entities={"hours": ("3.0", "3 timer")})
    assert negative.texts == ["Timer kan ikke være negative."]
    assert negative.slots()["time_hours"] is None
    assert negative.slots()["requested_slot"] == "time_hours"

    decimals = validate("1,255", owner, {"time_hours": "1,255"}, requested="time_hours", language="nb")
    assert decimals.texts == ["Skriv timene med høyst to desimaler, for eksempel 7,5 eller 1,25."]
    too_many = validate("30 hours", owner, {"time_hours": "30"}, requested="time_hours", language="en")
    assert too_many.texts == ["A day has at most 24 hours."]
    plain = validate("7,5", owner, {"time_hours": "7,5"}, requested="time_hours")
    assert plain.slots()["time_hours"] == "7.50"
    assert plain.slots()["requested_slot"] == "time_project"


def test_a_name_that_fits_several_projects_gets_a_button_each(action_books: sessionmaker[Session]) -> None:
    owner, _ = books_with_projects(action_books)
    checked = validate("nett", owner, {"time_project": "nett"}, requested="time_project",
                       slots={"time_hours": "2.00"})
    assert checked.texts == ["Flere prosjekter passer til «nett»."]
    slots = checked.slots()
    assert slots["time_project"] is None and slots["requested_slot"] == "time_project"
    asked = run(AskTimeProject(), said("nett", asker=owner, conversation=Conversation(slots=slots)))
    assert asked.texts == ["Hvilket prosjekt?"]
    assert [(b["title"], b["payload"]) for b in asked.buttons] == [
        ("Nettbutikk", '/choose{"project": "Nettbutikk"}'),
        ("Nettside", '/choose{"project": "Nettside"}'),
    ]


def test_a_project_picked_by_its_place_in_the_list_is_taken_like_its_button(
    action_books: sessionmaker[Session],
) -> None:
    owner, _ = books_with_projects(action_books)
    checked = validate("nett", owner, {"time_project": "nett"}, requested="time_project",
                       slots={"time_hours": "2.00"})
    slots = {"time_hours": "2.00", **checked.slots()}
    asked = run(AskTimeProject(), said("nett", asker=owner, conversation=Conversation(slots=slots)))
    question = [{"event": "user", "text": "nett"},
                *({"event": "bot", "text": m.get("text"), "data": {"buttons": m.get("buttons") or []}}
                  for m in checked.messages + asked.messages)]

    def pick(text: str, place: int) -> Said:
        conversation = Conversation(slots=slots, events=question, active_loop="log_time_form",
                                    requested_slot="time_project")
        tracker = said(text, intent="choose", entities={"ordinal": place},  # type: ignore[dict-item]
                       asker=owner, conversation=conversation)
        return run(ValidateLogTimeForm(), tracker, DOMAIN)

    assert pick("den andre", 2).slots()["time_project"] == "Nettside"
    assert pick("the first one", 1).slots()["time_project"] == "Nettbutikk"
    assert pick("den siste", -1).slots()["time_project"] == "Nettside"
    beyond = pick("den tredje", 3)
    assert "time_project" not in beyond.slots() or beyond.slots()["time_project"] is None


def test_an_unknown_project_is_offered_to_be_created_and_created_on_yes(
    action_books: sessionmaker[Session],
) -> None:
    owner, _ = books_with_projects(action_books)
    checked = validate("hytte hemsedal", owner, {"time_project": "Hytte Hemsedal"}, requested="time_project",
                       slots={"time_hours": "4.00"})
    assert checked.texts == ["Jeg finner ikke noe prosjekt som heter «Hytte Hemsedal»."]
    slots = checked.slots()
    assert slots["requested_slot"] == "time_create_project"
    asked = run(AskTimeCreateProject(), said("hytte hemsedal", asker=owner,
                                             conversation=Conversation(slots={"time_hours": "4.00", **slots})))
    assert asked.texts == ["Skal jeg opprette prosjektet «Hytte Hemsedal»?"]
    assert [b["payload"] for b in asked.buttons] == ["/affirm", "/deny"]

    yes = validate("ja", owner, {"time_create_project": "yes"}, requested="time_create_project",
                   slots={"time_hours": "4.00", **slots})
    after = {"time_hours": "4.00", **slots, **yes.slots()}
    assert after["time_project"] == "Hytte Hemsedal" and after["requested_slot"] is None
    proposal = run(ActionProposeLogTime(), said("ja", intent="affirm", asker=owner,
                                                conversation=Conversation(slots=after)))
    assert proposal.texts == [f"Opprette prosjektet «Hytte Hemsedal» og føre 4 timer i dag, {_nb(TODAY)}?"]
    confirm(owner, proposal)
    assert entries(action_books) == [("Hytte Hemsedal", Decimal("4.00"), TODAY, owner.user_id)]


def test_staff_are_not_offered_to_create_projects(action_books: sessionmaker[Session]) -> None:
    _, staff = books_with_projects(action_books)
    checked = validate("hytte", staff, {"time_project": "hytte"}, requested="time_project",
                       slots={"time_hours": "4.00"})
    assert checked.texts == [
        "Jeg finner ikke noe prosjekt som heter «hytte». Velg et av prosjektene under, eller be eieren opprette det."
    ]
    assert checked.slots()["requested_slot"] == "time_project"
    with action_books.begin() as session:
        assert session.scalar(select(Project).where(Project.name == "hytte")) is None


def test_a_day_in_the_future_is_refused(action_books: sessionmaker[Session]) -> None:
    owner, _ = books_with_projects(action_books)
    tomorrow = TODAY + dt.timedelta(days=1)
    checked = validate("før 3 timer i morgen", owner, {"time_date": tomorrow.isoformat()}, slots={})
    assert checked.texts[0].startswith(f"{_nb(tomorrow)} har ikke kommet ennå")
    assert checked.slots()["time_date"] is None


def test_staff_log_their_own_hours_and_see_only_those(action_books: sessionmaker[Session]) -> None:
    owner, staff = books_with_projects(action_books)
    with action_books.begin() as session:
        log_time(session, owner.company_id, owner.user_id, 1, TODAY, "5")
    slots = {"time_hours": "7.50", "time_project": "Support", "time_project_id": 3}
    proposal = run(ActionProposeLogTime(), said("før 7,5 timer på support", intent="log_time", asker=staff,
                                                conversation=Conversation(slots=slots)))
    confirm(staff, proposal)
    assert entries(action_books)[-1] == ("Support", Decimal("7.50"), TODAY, staff.user_id)

    mine = run(ActionShowTime(), said("vis timene mine", intent="show_time", asker=staff))
    assert mine.texts[0].startswith("Du har ført 7,5 timer (")
    assert "Support 7,5" in mine.texts[0] and "Nettside" not in mine.text
    assert "Ikke fakturert" not in mine.text


def test_owners_see_everyones_hours_and_what_is_not_invoiced(action_books: sessionmaker[Session]) -> None:
    owner, staff = books_with_projects(action_books)
    with action_books.begin() as session:
        log_time(session, owner.company_id, owner.user_id, 1, TODAY, "5")
        log_time(session, owner.company_id, staff.user_id, 3, TODAY, "2.5")
    shown = run(ActionShowTime(), said("show hours this month", intent="show_time", asker=owner, language="en"))
    text = shown.text
    assert text.startswith("Everyone has logged 7.5 hours (")
    assert "Kari Nordmann 5 (Nettside 5)" in text and "Ola Ansatt 2.5 (Support 2.5)" in text
    assert "Not invoiced yet: Nettside (Fjord Bygg AS) 5 h = NOK 5,000.00; Support (Fjord Bygg AS) 2.5 h" in text


def _nb(day: dt.date) -> str:
    from ledger.formatting import format_date

    return format_date(day, "nb")


def test_hours_of_a_project_name_that_fits_several_offer_a_button_each(action_books: sessionmaker[Session]) -> None:
    owner, _ = books_with_projects(action_books)
    shown = run(ActionShowTime(), said("timer på nett", intent="show_time", asker=owner,
                                       entities={"project": "nett"}))
    assert shown.texts == ["Flere prosjekter passer til «nett»."]
    assert [b["payload"] for b in shown.buttons] == ['/show_time{"project": "Nettbutikk"}',
                                                     '/show_time{"project": "Nettside"}']


def test_undo_takes_back_the_hours_staff_last_logged_in_the_chat(action_books: sessionmaker[Session]) -> None:
    owner, staff = books_with_projects(action_books)
    with action_books.begin() as session:
        nettside = session.scalars(select(Project).where(Project.name == "Nettside")).one()
        log_time(session, owner.company_id, staff.user_id, nettside.id, TODAY, "3", channel="web", source="chat:m1")
        log_time(session, owner.company_id, staff.user_id, nettside.id, TODAY, "2", channel="web", source="chat:m2")
    undone = run(ActionUndo(), said("angre", intent="undo", asker=staff, message_id="m3"))
    assert undone.text.startswith("Angret: 2 timer på Nettside")
    with action_books.begin() as session:
        assert [e.hours for e in session.scalars(select(TimeEntry))] == [Decimal("3.00")]


def test_undo_with_nothing_logged_through_the_chat_changes_nothing(action_books: sessionmaker[Session]) -> None:
    owner, staff = books_with_projects(action_books)
    with action_books.begin() as session:
        nettside = session.scalars(select(Project).where(Project.name == "Nettside")).one()
        log_time(session, owner.company_id, staff.user_id, nettside.id, TODAY, "3", channel="api", source="api")
    undone = run(ActionUndo(), said("angre", intent="undo", asker=staff))
    assert "ingenting" in undone.text.lower()
    with action_books.begin() as session:
        assert len(session.scalars(select(TimeEntry)).all()) == 1


@pytest.mark.parametrize(("text", "hours"), [("1.5", "1.50"), ("2,5 t", "2.50"), ("3", "3.00")])
def test_a_bare_number_answers_how_many_hours_whatever_the_classifier_took_it_for(
    action_books: sessionmaker[Session], text: str, hours: str
) -> None:
    """A bare number reads to the classifier as a payment ("1.5": register_payment, 0.83);
    asked "How many hours?", it is the answer, not a new request."""
    owner, _ = books_with_projects(action_books)
    conversation = Conversation(slots={"language": "en", "time_project": "Support"}, active_loop="log_time_form",
                                requested_slot="time_hours")
    tracker = said(text, intent="register_payment", asker=owner, language="en", conversation=conversation)
    checked = run(ValidateLogTimeForm(), tracker, DOMAIN)
    assert checked.slots()["time_hours"] == hours
    assert checked.slots()["requested_slot"] is None  # on to the summary, not to the payment form
    assert not any(e.get("event") == "followup" for e in checked.events)
