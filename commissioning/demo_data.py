"""The demo's commissioned services: seed 000 (Thurrock, "Early Offer of Help commissioned services", §3.3–3.9).

Providers, services and KPI labels are as published. The published tables give only percentages for 2014/15 Q1
and Q2; the return files under ``fixtures/commissioning/`` hold numerators and bases chosen to reproduce each
published percentage exactly (rounded half-up) and are marked as demo values in their notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DemoService:
    slug: str
    name: str
    provider: str
    priority: str
    kpis: list[tuple[str, str, str]] = field(default_factory=list)  # (code, label, section)
    annual_value: str = ""


WOMEN = "% of women reporting…"
SFSC = "SFSC/Triple P programmes"
USERS = "% of service users reporting…"

NORTHBRIDGE_SERVICES = [
    DemoService(
        "steps", "One-to-one STEPS programme", "Thurrock Women's Aid", "Support for victims of domestic abuse",
        [
            ("understand-impact-children", "Better understanding of impact on children", WOMEN),
            ("feeling-safer", "Feeling safer", WOMEN),
            ("emotional-wellbeing", "Improved emotional wellbeing and resilience", WOMEN),
            ("confidence-ending-abuse", "Confidence in ending abusive relationships", WOMEN),
            ("confidence-social-care", "Confidence in working with Social Care", WOMEN),
            ("confidence-legal-housing", "Confidence with legal, housing and finance", WOMEN),
        ],
        annual_value="120000",
    ),
    DemoService(
        "drop-in", "Drop-in domestic abuse service", "Thurrock Women's Aid", "Support for victims of domestic abuse",
        [
            ("safety-planning", "Feeling supported in safety planning", WOMEN),
            ("welfare-benefits", "Feeling more knowledgeable in welfare benefits & finance", WOMEN),
            ("legal-matters", "Feeling more knowledgeable in legal matters", WOMEN),
        ],
        annual_value="45000",
    ),
    DemoService(
        "dvip", "Domestic Violence perpetrators programme", "DVIP", "Domestic violence perpetrators",
        [
            ("cessation-of-abuse", "Cessation of domestic abuse", WOMEN),
            ("feeling-safer", "Feeling safer", WOMEN),
            ("improved-relationships", "Improved relationships", WOMEN),
            ("relationships-children", "Improved relationships with children", WOMEN),
            ("family-communication", "Better family communication", WOMEN),
            ("sustained-changes", "Sustained changes post intervention", WOMEN),
        ],
        annual_value="80000",
    ),
    DemoService(
        "open-door", "Alcohol and substance misuse programme", "Open Door", "Parental substance misuse",
        [
            ("family-routines", "Improved family routines / relationships", USERS),
            ("debt-housing", "Better able to manage debt / housing", USERS),
            ("parent-effectively", "Better able to parent effectively", USERS),
            ("emotional-wellbeing", "Improved emotional wellbeing", USERS),
            ("confident-social-care", "Confident working with Social care", USERS),
            ("educating-children-da", "Confident in educating children on D&A", USERS),
        ],
        annual_value="95000",
    ),
    DemoService(
        "parenting", "Parenting programmes", "Coram", "Parenting support",
        [
            ("manage-behaviours", "Better able to understand and manage children's behaviours", SFSC),
            ("support-feelings", "Better able to support children's feelings", "SFSC/Triple P programmes"),
            ("self-esteem", "Better able to improve children's self esteem", "SFSC/Triple P programmes"),
            ("school-engagement", "Better engagement with school", "SFSC/Triple P programmes"),
            ("no-crime-asb", "Children not involved in crime / ASB", "SFSC/Triple P programmes"),
            ("adults-affect-children", "Understanding how adults affect children", "SFSC/Triple P programmes"),
            ("own-emotions-stress", "Better able to manage own emotions & stress", "SFSC/Triple P programmes"),
            ("aspiration", "Improved aspiration", "SFSC/Triple P programmes"),
            ("community-links", "Better networks and community links", "SFSC/Triple P programmes"),
            ("family-communication", "Better family communication", "SFSC/Triple P programmes"),
            ("mellow-attachment", "Better attachment to children", "Mellow parenting programmes only"),
            ("mellow-family-communication", "Better family communication", "Mellow parenting programmes only"),
            ("mellow-adults-affect-children", "Understanding how adults affect children",
             "Mellow parenting programmes only"),
            ("mellow-past-relationships", "Understanding how past r'ships affect children",
             "Mellow parenting programmes only"),
        ],
        annual_value="150000",
    ),
    DemoService(
        "sericc", "Sexual violence service", "SERICC", "Support for victims of sexual violence",
        [
            ("impact-on-children", "Better understanding impact of sexual violence on children", WOMEN),
            ("parenting-capacity", "Improved parenting capacity", WOMEN),
            ("feeling-safer", "Feeling Safer", WOMEN),
            ("emotional-wellbeing", "Improved emotional wellbeing and resilience", WOMEN),
            ("confident-social-care", "More confident working with Social Care", WOMEN),
            ("grooming-online-safety", "Confident in educating children on grooming/online safety", WOMEN),
        ],
        annual_value="60000",
    ),
    DemoService(
        "fip", "Family Intervention Project (FIP)", "Catch22", "Intensive family support",
        [
            ("employment-training", "Who have obtained employment, training or education", "% of service users…"),
            ("work-programme", "Who have not found work but attended a work programme", "% of service users…"),
            ("off-benefits", "Who have moved off of benefits", "% of service users…"),
            ("fewer-exclusions", "Who have had <3 fixed term exclusions in last 3 terms", "% of service users…"),
            ("low-absence", "Who have had <15% unauthorised absence in last 3 terms", "% of service users…"),
            ("reduced-offending", "With a 75% reduction in offending", "% of service users…"),
            ("reduced-domestic-abuse", "With reduced/ceased incidence of domestic abuse", "% of service users…"),
            ("no-teenage-pregnancy", "Who do not have any unplanned teenage pregnancies", "% of service users…"),
            ("reduced-substance-use", "Who reduced their substance and alcohol use", "% of service users…"),
            ("suitable-housing", "Who are in suitable housing with secure tenancies", "% of service users…"),
            ("emotional-wellbeing", "Reporting improved emotional well-being", "% of service users…"),
            ("understand-behaviours", "Reporting better understanding of impact of their behaviours",
             "% of service users…"),
            ("aspiration", "Reporting improved aspiration", "% of service users…"),
            ("work-with-social-care", "Reporting better able to work with Children's Social Care",
             "% of service users…"),
            ("manage-debt", "Reporting better able to manage debt", "% of service users…"),
            ("manage-childrens-behaviours", "Reporting better able to understand and manage children's behaviours",
             "% of service users…"),
            ("family-communication", "Reporting better family communication and family routines",
             "% of service users…"),
        ],
        annual_value="210000",
    ),
]

# Output KPIs (counts and means) every demo service also reports; their Q1/Q2 figures are fictional demo values.
OUTPUT_KPIS = [
    ("referrals", "Referrals received", "count"),
    ("closed-cases", "Cases closed", "count"),
    ("waiting-list", "Waiting list at quarter end", "count"),
    ("mean-waiting-days", "Mean waiting time (days)", "mean"),
]

# The published percentages (§3.3–3.9), in KPI order, for Q1 and Q2; None = "n/a".
PUBLISHED = {
    "steps": ([100, 93, 87, 87, 73, 79], [90, 95, 85, 90, 80, 76]),
    "drop-in": ([100, 89, 100], [100, 100, 100]),
    "dvip": ([100] * 6, [71, 71, 43, 43, 43, None]),
    "open-door": ([56, 44, 44, 33, 33, 33], [66, 55, 77, 55, 66, 66]),
    "parenting": (
        [93, 93, 93, 90, 83, 93, 93, 87, 93, 90, 67, 67, 67, 67],
        [95, 95, 86, 92, 92, 95, 84, 86, 86, 86, 100, 100, 100, 100],
    ),
    "sericc": ([0] * 6, [100] * 6),
    "fip": (
        [73, 50, 30, 100, 50, 100, 86, 100, 100, 86, 100, 91, 91, 100, 71, 91, 89],
        [71, 71, 0, 100, 100, 50, 100, 100, 50, 100, 90, 80, 90, 100, 83, 90, 90],
    ),
}

# The seed's footnotes, which must travel into reports.
FOOTNOTES = {
    ("dvip", 1): "Q1 was based on 1 client.",
    ("open-door", 1): "Q1 had a high level of families that were not engaging – the satisfaction levels have "
                      "increased in Q2 to levels more in line with expectations.",
    ("sericc", 1): "Q1 no case closures to score.",
}

EASTMOOR_SERVICES = [NORTHBRIDGE_SERVICES[0], NORTHBRIDGE_SERVICES[2]]
