"""The vendor rules the assistant learned, in the chat: "hvilke regler har du lært?" lists
them ("Telenor Norge AS → 6900 Telefon, 25 % mva"), "Telenor skal føres som kontorrekvisita"
changes one (or makes it, for a vendor without a rule), and an expense typed with a known
vendor and no category is proposed as last time (`as_last_time`). The rules themselves, and
how a vendor's name is matched, are `ledger.vendor_rules`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.books import sessions
from actions.confirmation import refusal
from actions.context import Asker
from actions.forms import KeeperAction
from actions.replies import reply
from ledger import clock
from ledger.companies import company_by_id
from ledger.errors import LedgerError, UnknownExpenseCategory
from ledger.expenses import VEHICLES, find_category
from ledger.reports.account_totals import chart_of
from ledger.vat import rate_on
from ledger.vendor_rules import Rule, change_vendor_rule, remember_vendor, rule_for, vendor_rules


def _entity(tracker: Tracker, name: str) -> str:
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == name and entity.get("value"):
            return " ".join(str(entity["value"]).split())
    return ""


def rule_shown(session: Session, asker: Asker, rule: Rule) -> dict[str, Any]:
    """A rule as the replies show it: vendor, account and its name, VAT rate today."""
    assert asker.company_id is not None
    account = chart_of(session, asker.company_id).get(rule.account)
    return {
        "vendor": rule.vendor_name,
        "account": rule.account,
        "account_name": (account.name_en if asker.language == "en" else account.name_nb) if account else "",
        "rate": rate_on(session, rule.vat_code, clock.today()) if rule.vat_code else Decimal(0),
        "times_used": rule.times_used,
    }


def as_last_time(dispatcher: CollectingDispatcher, asker: Asker, vendor: str) -> tuple[str, bool] | None:
    """For an expense from `vendor` said without what it was for: the category the vendor's
    rule proposes, said to the person ("Som sist: Telenor → 6900 Telefon, 25 % mva"), and
    whether the van-or-car question is needed for it; None when the vendor has no rule (or
    one whose account is no longer its category's)."""
    if asker.company_id is None or not vendor.strip():
        return None
    with sessions().begin() as session:
        rule = rule_for(session, asker.company_id, vendor)
        if rule is None or not rule.category:
            return None
        try:
            category = find_category(session, asker.company_id, rule.category)
        except UnknownExpenseCategory:
            return None
        if (category.account, category.vat_code) != (rule.account, rule.vat_code):
            return None
        company = company_by_id(session, asker.company_id)
        ask_vehicle = category.needs_vehicle and company.vat_registered and company.vehicle not in VEHICLES
        reply(dispatcher, asker, "expense_as_last_time.j2", **rule_shown(session, asker, rule))
    return category.keyword, ask_vehicle


class ActionListVendorRules(KeeperAction):
    """Lists what the assistant proposes for each vendor it has learned."""

    action = "action_list_vendor_rules"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        assert asker.company_id is not None
        with sessions().begin() as session:
            rules = [rule_shown(session, asker, r) for r in vendor_rules(session, asker.company_id)]
        reply(dispatcher, asker, "vendor_rules_list.j2", rules=rules)
        return []


class ActionChangeVendorRule(KeeperAction):
    """Sets a vendor's account and VAT code from an expense category ("Telenor skal føres som
    kontorrekvisita"); a vendor without a rule gets one."""

    action = "action_change_vendor_rule"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, asker: Asker) -> list[EventType]:
        assert asker.company_id is not None
        vendor = _entity(tracker, "vendor")
        category = _entity(tracker, "expense_category")
        if not vendor or not category:
            reply(dispatcher, asker, "vendor_rule_unclear.j2", vendor=vendor, category=category)
            return []
        try:
            with sessions().begin() as session:
                chosen = find_category(session, asker.company_id, category)
                existing = rule_for(session, asker.company_id, vendor)
                if existing is not None:
                    rule = change_vendor_rule(
                        session, asker.company_id, existing.id, account=chosen.account, vat_code=chosen.vat_code,
                        category=chosen.keyword, user_id=asker.user_id,
                    )
                else:
                    rule = remember_vendor(
                        session, asker.company_id, vendor, chosen.account, chosen.vat_code,
                        category=chosen.keyword, user_id=asker.user_id,
                    )
                shown = rule_shown(session, asker, rule)
        except LedgerError as error:
            if error.code == "unknown_expense_category":
                reply(dispatcher, asker, "expense_category_unknown.j2", said=category)
            else:
                dispatcher.utter_message(text=refusal(asker.language, error))
            return []
        reply(dispatcher, asker, "vendor_rule_changed.j2", new=existing is None, **shown)
        return []
