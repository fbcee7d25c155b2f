"""Reading households and members from the official Excel/CSV layouts into the ledger."""
