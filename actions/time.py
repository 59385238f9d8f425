"""Logging hours and seeing them ("før 3 timer på Nettside i går", "how many hours this week?").

Logging is a form (`log_time_form`) that asks for what is missing one question at a time:
the hours, then the project. A project name that fits several projects gets a button for
each; one that fits none is offered to be created (not to staff, who may only log hours).
The date defaults to today in Oslo; a customer, when said, narrows the projects. Before
anything is saved the assistant shows what it will save and waits for "ja" (a time entry is
not a voucher, so one line is enough).

Seeing hours: staff see their own hours and time bank; owners and accountants see everyone's,
and the hours not yet invoiced per project.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.answers import Refused, hours_answer, said_entity
from actions.books import reading
from actions.confirmation import Done, Proposal, ProposeAction, confirmed, yes_no_buttons
from actions.context import Asker, asker_of
from actions.forms import CHOICES_SLOT, AskAction, FormValidator, answered, choice_buttons, choices_for
from actions.periods import month_span, parse_day, parse_period, period_label
from actions.replies import render, reply
from ledger import clock
from ledger.customers import Choice, resolve_customer
from ledger.errors import Forbidden, UnknownCustomer, UnknownProject
from ledger.models import Project
from ledger.permissions import Capability, may
from ledger.projects import create_project, get_project, list_projects, resolve_project
from ledger.reports.hours import hours_report
from ledger.timesheet import (
    MAX_HOURS_PER_DAY,
    log_time,
    time_bank,
    unbilled_hours,
)

HOURS, PROJECT, DATE, CUSTOMER = "time_hours", "time_project", "time_date", "time_customer"
CREATE_PROJECT = "time_create_project"
PROJECT_ID, CUSTOMER_ID, NEW_PROJECT = "time_project_id", "time_customer_id", "time_project_new"
FORM_SLOTS = (HOURS, PROJECT, DATE, CUSTOMER, CREATE_PROJECT, PROJECT_ID, CUSTOMER_ID, NEW_PROJECT)
MAX_BUTTONS = 6


def show_time_button(project: str) -> dict[str, str]:
    """A button that shows the hours of one project."""
    return {"title": project, "payload": "/show_time" + json.dumps({"project": project}, ensure_ascii=False)}


def _customer_id(session: Session, company_id: int, tracker: Tracker) -> int | None:
    """The customer said in this conversation, if it resolves to exactly one."""
    known = tracker.get_slot(CUSTOMER_ID)
    if isinstance(known, int | float):
        return int(known)
    said = tracker.get_slot(CUSTOMER)
    if not said:
        return None
    try:
        chosen = resolve_customer(session, company_id, str(said)).chosen
    except UnknownCustomer:
        return None
    return chosen.id if chosen else None


class ValidateLogTimeForm(FormValidator):
    """Checks each answer of the log-time form and asks again, with the reason, when it
    cannot be used. Everyone may log hours (staff their own)."""

    capability = Capability.LOG_HOURS
    number_slots = frozenset({HOURS})

    def name(self) -> str:
        return "validate_log_time_form"

    def needed(self, tracker: Tracker, asker: Asker) -> list[str]:
        """The hours, then the project; whether to create it when the name was unknown. The
        date and the customer are never asked for."""
        if tracker.get_slot(PROJECT) is None and tracker.get_slot(NEW_PROJECT):
            return [HOURS, CREATE_PROJECT, PROJECT]
        return [HOURS, PROJECT]

    def validate_time_hours(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Takes hours more than zero, at most 24, in two decimals at most."""
        answer = hours_answer(value, said_entity(tracker.latest_message, "hours"))
        if isinstance(answer, Decimal) and answer > MAX_HOURS_PER_DAY:
            answer = Refused("too_many", str(value))
        return answered(dispatcher, asker_of(tracker), HOURS, answer, "time_hours_refused.j2")

    validate_time_date = FormValidator.day_that_has_come(DATE, "time_date_refused.j2")

    def validate_time_customer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Resolves the customer; one with a single project settles the project too."""
        asker = asker_of(tracker)
        if asker.company_id is None:
            return {CUSTOMER: None, CUSTOMER_ID: None}
        with reading().begin() as session:
            try:
                chosen = resolve_customer(session, asker.company_id, str(value)).chosen
            except UnknownCustomer:
                chosen = None
            if chosen is None:
                reply(dispatcher, asker, "time_customer_unclear.j2", said=str(value))
                return {CUSTOMER: None, CUSTOMER_ID: None}
            result: dict[str, Any] = {CUSTOMER: chosen.name, CUSTOMER_ID: chosen.id}
            projects = list_projects(session, asker.company_id, customer_id=chosen.id)
            if tracker.get_slot(PROJECT) is None and len(projects) == 1:
                result.update({PROJECT: projects[0].name, PROJECT_ID: projects[0].id, NEW_PROJECT: None})
        return result

    def validate_time_project(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Resolves the project: one match is taken, several get a button each, none is
        offered to be created (staff are asked to pick an existing one)."""
        asker = asker_of(tracker)
        said = str(value).strip()
        if asker.company_id is None or not said:
            return {PROJECT: None}
        with reading().begin() as session:
            customer_id = _customer_id(session, asker.company_id, tracker)
            try:
                resolution = resolve_project(session, asker.company_id, said)
            except UnknownProject:
                owned = _projects_of_customer_named(session, asker.company_id, said)
                if owned is not None:
                    # A customer's name is never offered as a new project: its projects are.
                    if len(owned) == 1:
                        only = owned[0]
                        owner = {CUSTOMER: only.customer.name, CUSTOMER_ID: only.customer.id} if only.customer else {}
                        return {PROJECT: only.name, PROJECT_ID: only.id, NEW_PROJECT: None, CHOICES_SLOT: None, **owner}
                    reply(dispatcher, asker, "time_name_is_customer.j2", said=said, projects=len(owned))
                    choices = choices_for(PROJECT, "project", [p.name for p in owned]) if owned else None
                    return {PROJECT: None, NEW_PROJECT: None, CHOICES_SLOT: choices}
                if not may(asker.role, Capability.KEEP_BOOKS):
                    reply(dispatcher, asker, "time_project_unknown_staff.j2", said=said)
                    return {PROJECT: None, NEW_PROJECT: None, CHOICES_SLOT: None}
                reply(dispatcher, asker, "time_project_unknown.j2", said=said)
                return {PROJECT: None, NEW_PROJECT: said, CREATE_PROJECT: None, CHOICES_SLOT: None}
            candidates: list[Choice] = list(resolution.candidates)
            if resolution.chosen is None and customer_id is not None:
                own = {p.id for p in list_projects(session, asker.company_id, customer_id=customer_id)}
                candidates = [c for c in candidates if c.id in own] or candidates
            if resolution.chosen is None and len(candidates) > 1:
                reply(dispatcher, asker, "time_project_several.j2", said=said)
                names = [c.name for c in candidates]
                return {PROJECT: None, NEW_PROJECT: None, CHOICES_SLOT: choices_for(PROJECT, "project", names)}
            project = get_project(session, asker.company_id, candidates[0].id)
            result: dict[str, Any] = {
                PROJECT: project.name,
                PROJECT_ID: project.id,
                NEW_PROJECT: None,
                CHOICES_SLOT: None,
            }
            if project.customer is not None and customer_id is None:
                result.update({CUSTOMER: project.customer.name, CUSTOMER_ID: project.customer.id})
        return result

    def validate_time_create_project(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """On "ja" the new project's name is taken (it is created when the hours are saved);
        on "nei" the project is asked for again."""
        name = tracker.get_slot(NEW_PROJECT)
        if value == "yes" and name:
            return {CREATE_PROJECT: "yes", PROJECT: str(name), PROJECT_ID: None}
        return {CREATE_PROJECT: None, NEW_PROJECT: None, PROJECT: None}


def _projects_of_customer_named(session: Session, company_id: int, said: str) -> list[Project] | None:
    """The active projects of the customer `said` clearly names; None when it names none."""
    try:
        chosen = resolve_customer(session, company_id, said).chosen
    except UnknownCustomer:
        return None
    return None if chosen is None else list_projects(session, company_id, customer_id=chosen.id)


class AskTimeHours(AskAction):
    """Asks "Hvor mange timer?"."""

    slot = HOURS


class AskTimeProject(AskAction):
    """Asks which project, with a button per candidate (or per active project)."""

    slot = PROJECT

    def extra_buttons(self, tracker: Tracker, asker: Asker) -> list[dict[str, str]]:
        if choice_buttons(tracker.get_slot(CHOICES_SLOT), PROJECT) or asker.company_id is None:
            return []
        with reading().begin() as session:
            customer_id = _customer_id(session, asker.company_id, tracker)
            projects = list_projects(session, asker.company_id, customer_id=customer_id)
            if not projects and customer_id is not None:
                projects = list_projects(session, asker.company_id)
            names = [p.name for p in projects[:MAX_BUTTONS]]
        return choice_buttons(choices_for(PROJECT, "project", names), PROJECT)


class AskTimeCreateProject(AskAction):
    """Offers to create the project that was not found (Ja/Nei)."""

    slot = CREATE_PROJECT

    def context(self, tracker: Tracker, asker: Asker) -> dict[str, Any]:
        return {"name": tracker.get_slot(NEW_PROJECT) or "", "customer": tracker.get_slot(CUSTOMER)}

    def extra_buttons(self, tracker: Tracker, asker: Asker) -> list[dict[str, str]]:
        return yes_no_buttons(asker.language)


class ActionProposeLogTime(ProposeAction):
    """Shows the hours about to be saved (project, customer, day) and asks Ja/Nei."""

    action, kind, summary = "action_propose_log_time", "log_time", "time_summary.j2"
    slots, required = FORM_SLOTS, (HOURS, PROJECT)
    capability = Capability.LOG_HOURS

    def proposal(self, tracker: Tracker, asker: Asker) -> Proposal:
        hours = Decimal(str(tracker.get_slot(HOURS)))
        day = parse_day(tracker.get_slot(DATE)) or clock.today()
        project_id = tracker.get_slot(PROJECT_ID)
        values: dict[str, Any] = {
            "hours": str(hours),
            "date": day.isoformat(),
            "project": str(tracker.get_slot(PROJECT)),
            "project_id": int(project_id) if project_id is not None else None,
            "customer": tracker.get_slot(CUSTOMER),
            "customer_id": int(tracker.get_slot(CUSTOMER_ID)) if tracker.get_slot(CUSTOMER_ID) else None,
        }
        shown = {"hours": hours, "date": day, "today": day == clock.today(), "new": project_id is None}
        return Proposal(values, shown)


@confirmed("log_time")
def save_time(session: Session, asker: Asker, values: dict[str, Any]) -> Done:
    """Saves the confirmed hours (creating the project first when it was new)."""
    assert asker.company_id is not None and asker.user_id is not None
    project_id = values.get("project_id")
    if project_id is None:
        if not may(asker.role, Capability.KEEP_BOOKS):
            raise Forbidden("staff do not create projects", role=asker.role)
        project_id = create_project(
            session, asker.company_id, str(values["project"]), customer_id=values.get("customer_id")
        ).id
    day = dt.date.fromisoformat(str(values["date"]))
    entry = log_time(
        session,
        asker.company_id,
        asker.user_id,
        int(project_id),
        day,
        str(values["hours"]),
        channel=asker.channel,
        source=asker.source,
    )
    monday = day - dt.timedelta(days=day.weekday())
    week = time_bank(session, asker.company_id, asker.user_id, monday, monday + dt.timedelta(days=6))
    return Done(
        "time_logged.j2",
        {
            "hours": entry.hours,
            "project": entry.project.name,
            "date": entry.date,
            "today": entry.date == clock.today(),
            "week_hours": week.logged_hours,
        },
    )


class ActionShowTime(Action):
    """Shows logged hours for a period (this month unless said): the asker's own with their
    time bank, and for owners and accountants everyone's and the hours not yet invoiced."""

    def name(self) -> str:
        return "action_show_time"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        asker = asker_of(tracker)
        if not asker.known:
            reply(dispatcher, asker, "not_signed_in.j2")
            return []
        assert asker.company_id is not None and asker.user_id is not None
        today = clock.today()
        span = parse_period(next(tracker.get_latest_entity_values("period"), None))
        first, last = span or (month_span(today)[0], today)
        project_said = next(tracker.get_latest_entity_values("project"), None)
        everyone = may(asker.role, Capability.SEE_EVERYONES_HOURS)
        with reading().begin() as session:
            project: Project | None = None
            if project_said:
                try:
                    resolution = resolve_project(session, asker.company_id, str(project_said))
                except UnknownProject:
                    reply(dispatcher, asker, "time_project_not_found.j2", said=str(project_said))
                    return []
                chosen = resolution.chosen
                if chosen is None:
                    dispatcher.utter_message(
                        text=render(asker.language, "time_project_several.j2", said=str(project_said)),
                        buttons=[show_time_button(c.name) for c in resolution.candidates[:MAX_BUTTONS]],
                    )
                    return []
                project = get_project(session, asker.company_id, chosen.id)
            report = hours_report(
                session, asker.company_id, first, last, actor_id=asker.user_id,
                user_id=None if everyone else asker.user_id, project_id=project.id if project else None,
            )
            bank = None
            if first <= today:
                bank = time_bank(session, asker.company_id, asker.user_id, first, min(last, today))
            unbilled = (
                unbilled_hours(session, asker.company_id, project_id=project.id if project else None)
                if everyone
                else []
            )
        reply(
            dispatcher,
            asker,
            "time_show.j2",
            period=period_label(first, last, asker.language),
            project=project.name if project else None,
            my_hours=report.hours_of(asker.user_id),
            my_projects=[{"name": r.project_name, "hours": r.hours} for r in report.rows_of(asker.user_id)],
            bank=bank,
            everyone=everyone,
            total=report.total,
            people=[
                {
                    "name": person.name,
                    "hours": person.hours,
                    "projects": [{"name": r.project_name, "hours": r.hours} for r in report.rows_of(person.id)],
                }
                for person in report.people
            ],
            unbilled=unbilled,
        )
        return []
