"""Which language a chat message is written in: Norwegian ("nb", bokmål or nynorsk) or English ("en").

Nynorsk ("kor mykje har vi i banken") counts as Norwegian: the assistant reads it and answers in
bokmål. Scores the words of the message against two small keyword lists (function words and the
domain's own words, "faktura" against "invoice") and the letters æ, ø, å. Short or unclear
messages ("ok", "Q3", "5000") are Norwegian: the product's default language.
"""

from __future__ import annotations

import re

NORWEGIAN = "nb"
ENGLISH = "en"
DEFAULT = NORWEGIAN

NB_WORDS = frozenset("""
varebil personbil bil elbil varebilen personbilen
jeg du vi dere han hun meg deg oss dem min mitt mine vår vårt våre din ditt sin sitt
er var har hadde blir ble kan vil skal må bør får fikk gjør gjorde
og eller men ikke at som det den de en et ei til fra på av med for om hos etter før uten hva
hvor hvordan hvem hvilke hvilken hvorfor når noe noen alle alt mye mange litt mer mest
ja nei jo takk hei heisann hallo morn morna ha ses adjø hade snakkes greit ok fint bra supert
nå da her der dag går morgen uke uka uken måned måneden år året fjor kvartal termin hittil
faktura fakturer fakturere fakturaen fakturaer kunde kunden kunder prosjekt prosjektet prosjekter
timer time timen før registrer registrere lag lage opprett opprette ny nytt nye vis vise se
saldo konto kontoen banken penger betalt betaling betalte innbetaling utgift utgifter kvittering
kjøpt kjøpte brukte betale skylder ubetalte forfalt forfalte resultat overskudd fortjeneste
mva moms frister frist fristen kreditnota krediter kreditere send sende sendt bytt bytte firma
selskap klient angre avbryt stopp glem hjelp bensin drivstoff parkering lunsj husleie
hvem hvilke skriv dikt været vær fotball helg kveld denne dette forrige neste siste
mandag tirsdag onsdag torsdag fredag lørdag søndag januar februar mars mai juni juli oktober desember
tusen hundre kroner millioner halv halvannen gjerne selvfølgelig stemmer korrekt riktig feil
trenger kunne skulle ville må vet lurer lurte gå gikk jobbet jobba jobb arbeid arbeidet brukt
eg kva kor korleis kven kvifor kvar kvart ikkje mykje pengar timar skuldar skuldig frå fekk dei
berre noko nokon ho vore vert hjå heile veka veke førre rekning rekninga rekningar betala jobbar
fakturaen fakturera timane timen kundar prosjekta utgift utgifta kvitteringa banken
""".split())  # noqa: SIM905
EN_WORDS = frozenset("""
van car passenger vehicle
i you we they he she me us them my mine our your his her their its it is are was were be been
am have has had do does did will would can could should shall may might must get got make
and or but not no yes yeah yep nope the a an of to from in on at by with for about into after
before without what where how who which why when something anything all much many some more
thanks thank cheers hi hello hey bye goodbye later see night morning good great fine ok okay sure
now then here there today yesterday tomorrow week month year quarter term last next this so far
invoice invoices bill customer customers client clients project projects hours hour log
register create add new show see view list display balance account bank money paid payment
pay received expense expenses receipt bought spent spend owe owes unpaid overdue outstanding
profit loss result vat tax deadlines deadline due credit note send sent email switch change
company undo cancel stop forget help fuel parking lunch rent office supplies please need want
know tell wondering work worked working weather football poem joke write won monday tuesday
wednesday thursday friday saturday sunday january february march april june july august
october december thousand hundred million half an hour hourly rate what's whats how's i'm im
bill billed unbilled charge put client called start started paid received receive train ticket
any still us let got sort things thing quick evening name far tell please post resend mark
settled came set up did done logged everything that's it's don't isn't there's overdue status
open last first second third due late fine filed filing coming annual accounts time as take took
""".split())  # noqa: SIM905
_WORD = re.compile(r"[a-zæøåé']+", re.IGNORECASE)


def detect_language(text: str) -> str:
    """Returns "nb" or "en" for a message; "nb" when the evidence is even or absent."""
    lowered = text.lower()
    words = _WORD.findall(lowered)
    nb: float = sum(1 for w in words if w in NB_WORDS)
    en = sum(1 for w in words if w in EN_WORDS)
    # æ, ø and å are weak evidence: English messages name Norwegian firms ("Mørkved Maskin").
    nb += sum(0.5 for w in words if re.search(r"[æøå]", w) and w not in NB_WORDS)
    # Words in both lists ("i", "to", "for", "time", "man") count for neither side.
    both = sum(1 for w in words if w in NB_WORDS and w in EN_WORDS)
    nb -= both
    en -= both
    return ENGLISH if en > nb else NORWEGIAN
