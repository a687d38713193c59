"""Privacy: the consent ledger, keeping personal data no longer than needed, and masking it where it is shown."""
