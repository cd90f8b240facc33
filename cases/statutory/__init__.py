"""The statutory and sector returns of a council's early help and Family Help records (issue #20 item 5).

* ``cin_census``: the DfE children in need census (XML, valid against the year's XSD), one ``<Child>`` per child of
  a case with a section 17 episode in the census year; the provisional 2026/27 Module 5 behind a flag.
* ``ssd``: the Standard Safeguarding Dataset's ``ssd_early_help_episodes`` and ``ssd_linked_identifiers`` (CSV).
* ``annex_a``: Ofsted's Annex A list 2, children who had an early help assessment (XLSX).
* ``jobs``: the background job that builds one of them for a performance officer, and its download.

Every writer reads through the scoped managers, so it runs inside one council's context (a job's tenant, the
command's ``--tenant``) and can only see that council's rows; row-level security is the second wall.
"""
