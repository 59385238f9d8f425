"""Receipts sent as photos or PDFs: their text read by OCR (`ocr`), then their fields read by
the ledger (`ledger.receipts`)."""
