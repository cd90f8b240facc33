"""Default lists a new tenant starts with. Copied from the DfE children in need census schema (2026) where one
exists, so that referral sources map onto the census; the authority can rename, add and retire entries."""

from __future__ import annotations

# DfE CIN census referral source codes (CIN_schema_2026.xsd, referralsourcetype).
CIN_REFERRAL_SOURCES = [
    ("1A", "Individual – family member, relative or carer"),
    ("1B", "Individual – acquaintance (including neighbours and child minders)"),
    ("1C", "Individual – self"),
    ("1D", "Individual – other (including strangers)"),
    ("2A", "Schools"),
    ("2B", "Education services"),
    ("3A", "Health services – GP"),
    ("3B", "Health services – health visitor"),
    ("3C", "Health services – school nurse"),
    ("3D", "Health services – other primary health services"),
    ("3E", "Health services – A&E"),
    ("3F", "Health services – other (for example hospice)"),
    ("4", "Housing – local authority housing or housing association"),
    ("5A", "LA services – social care (for example adult social care)"),
    ("5B", "LA services – other internal (for example youth offending)"),
    ("5C", "LA services – external (another local authority)"),
    ("5D", "LA services – early help"),
    ("6", "Police"),
    ("7", "Other legal agency (courts, probation, immigration, CAFCASS, prison)"),
    ("8", "Other (children's centres, independent providers, voluntary organisations)"),
    ("9", "Anonymous"),
    ("10", "Unknown"),
]
# The local multi-agency front doors and panels (DESIGN.md §2).
FRONT_DOOR_SOURCES = [
    ("MASH", "MASH (Multi-Agency Safeguarding Hub)"),
    ("VCM", "Vulnerable Children's Meeting"),
    ("MAGS", "MAGS panel (Multi-Agency Group Supervision)"),
]
# DfE CIN census primary need codes (primaryneedcodetype), kept for mapping and reporting.
CIN_PRIMARY_NEEDS = [
    ("N1", "Abuse, neglect and exploitation"),
    ("N2", "Child's disability"),
    ("N3", "Parental disability or illness"),
    ("N4", "Family in acute stress"),
    ("N5", "Family dysfunction"),
    ("N6", "Socially unacceptable behaviour"),
    ("N7", "Low income"),
    ("N8", "Absent parenting"),
    ("N9", "Cases other than children in need"),
    ("N0", "Not stated"),
]
# A presenting-needs taxonomy in the words early help teams use (after the Supporting Families headline areas).
PRESENTING_NEEDS = [
    ("PARENTING", "Parenting and family relationships"),
    ("ATTENDANCE", "School attendance and education"),
    ("EARLY_YEARS", "Early years and child development"),
    ("EMOTIONAL", "Emotional wellbeing and mental health"),
    ("PHYSICAL", "Physical health"),
    ("DOMESTIC_ABUSE", "Domestic abuse"),
    ("SUBSTANCE", "Drug and alcohol misuse"),
    ("CRIME_ASB", "Crime and anti-social behaviour"),
    ("EXPLOITATION", "Risk of exploitation"),
    ("FINANCE", "Worklessness, debt and financial difficulty"),
    ("HOUSING", "Housing"),
    ("SEND", "Special educational needs and disability"),
    ("YOUNG_CARER", "Young carer"),
]
CLOSURE_REASONS = [
    # (code, label, is_step_up)
    ("OUTCOMES_MET", "Outcomes met", False),
    ("STEPPED_UP", "Stepped up to social care", True),
    ("MOVED_AWAY", "Moved away", False),
    ("DISENGAGED", "Family disengaged", False),
    ("UNIVERSAL", "Transferred to universal services", False),
    ("NFA", "No further action", False),
]
LEVELS_OF_NEED = [
    # (rank, label, is_statutory)
    (1, "Universal", False),
    (2, "Emerging need (early help)", False),
    (3, "Child in need (CIN)", True),
    (4, "Child protection / child in care (CP / CiC)", True),
]
# DfE CIN census reason for closure codes (CIN_schema_2026.xsd, reasonforclosuretype).
CIN_CLOSURE_REASONS = [
    ("RC1", "Adopted"),
    ("RC2", "Died"),
    ("RC3", "Child arrangements order"),
    ("RC4", "Special guardianship order"),
    ("RC5", "Transferred to services of another local authority"),
    ("RC6", "Transferred to adult social care services"),
    ("RC7", "Services ceased for any other reason, including child no longer in need"),
    ("RC8", "Case closed after assessment, no further action"),
    ("RC9", "Case closed after assessment, referred to early help"),
]
# CIN census 2026/27 Module 5 pre-proceedings outcome, codeset CS131 (draft; the letters' meanings are not
# published yet — /work/shared/standards/cin-census-2026-27/MODULE5_SUMMARY.md).
CIN_MODULE5_OUTCOMES = [
    ("A", "A (CS131)"),
    ("B", "B (CS131)"),
    ("C", "C (CS131)"),
]

# CIN census disability codes (N00099), labels as the census XSD's annotations give them (disabilitytype).
CIN_DISABILITIES = [
    ("NONE", "No disability"), ("MOB", "Mobility"), ("HAND", "Hand function"), ("PC", "Personal care"),
    ("INC", "Incontinence"), ("COMM", "Communication"), ("LD", "Learning"), ("HEAR", "Hearing"),
    ("VIS", "Vision"), ("BEH", "Behaviour"), ("CON", "Consciousness"), ("AUT", "Autism"), ("DDA", "Other"),
]
