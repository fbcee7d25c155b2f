"""Keys, trust, sealed bundles, the hash-chained change log and redacted exports (issue 6).

Core only: no typer, no rich; PyNaCl is imported inside the functions that need it, so `grid --help`
never loads it.

- keys.py      a ledger's Ed25519 signing key, X25519 encryption key and pseudonym secret, kept in
               `<ledger>.key` beside the ledger (owner-only); fingerprints.
- trust.py     enrolment files, public-key files, the trust store (`trusted_keys`), revocation.
- envelope.py  sealing a bundle (sign the manifest, encrypt the payload to the recipient) and opening it.
- heads.py     each origin's signed chain head, and the proof that relayed changes are that origin's own.
- statements.py  what a hub states about the keys it enrolled (and their revocations), travelling as changes.
- chain.py     the per-origin hash chain of the change log and `verify`.
- redact.py    exports for people outside the chain, with stable pseudonyms.
"""
