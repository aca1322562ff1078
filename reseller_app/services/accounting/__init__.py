"""Money: postings to the ledger, payments and the monthly billing run."""
