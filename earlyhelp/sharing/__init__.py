"""Sharing with partners: the partner organisations register, the data-sharing agreements register, and the rule
that no partner's system, account or query works without an active agreement covering its purpose
(docs/partners.md). Tables belong to the ``earlyhelp`` app (migrations in ``earlyhelp/migrations``)."""
