"""Background jobs of the outcomes app. The dashboard's figures are recounted after the records change by the
figures engine's job (``earlyhelp.tasks.figures_recount``), which runs what outcomes registers
(``outcomes.dashboard.recount_dashboard``, registered in ``OutcomesConfig.ready``)."""
