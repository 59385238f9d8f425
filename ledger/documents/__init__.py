"""Documents and compliance exports, built from plain values.

Invoice PDF (:mod:`.pdf`), EHF / PEPPOL BIS Billing 3.0 XML (:mod:`.ehf`) and its schematron
check (:mod:`.schematron`), SAF-T Financial 1.30 (:mod:`.saft`), a plain-text journal for
hledger and ledger-cli (:mod:`.hledger`) and sending an invoice by e-mail (:mod:`.mail`).

Everything here takes the frozen values of :mod:`.model`; mapping database rows to them is the
ledger's job, so this package imports no database, HTTP or chat code.
"""
