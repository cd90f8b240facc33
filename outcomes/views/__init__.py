"""Outcomes pages, thin over ``outcomes.selectors`` and ``outcomes.services``: a case's readings and family
outcomes, the Supporting Families programme, and the tenant administrator's tools."""
