"""Reports computed from the journal: balances, trial balance, results, VAT, receivables, hours."""
