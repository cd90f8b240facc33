"""Generic defaults a tenant starts with. Area names are our own plain-English wording (not any licensed
Outcomes Star text); the family outcomes follow the shape of Shropshire's 18 closure outcomes; the programme
areas are the Supporting Families headline outcomes."""

# code, name, subject, min, max, higher_is_better, [(key, label)]
TOOL_TEMPLATES = [
    ("spider-graph", "Spider graph", "family", 1, 10, True, [
        ("routines", "Routines and boundaries"),
        ("parenting", "Parenting and relationships"),
        ("health", "Physical health"),
        ("emotional", "Emotional wellbeing"),
        ("education", "School and learning"),
        ("home", "Home and housing"),
        ("money", "Money and work"),
        ("safety", "Feeling safe"),
    ]),
    ("wellbeing-web", "Wellbeing web", "child", 1, 5, True, [
        ("happy", "Feeling happy"),
        ("healthy", "Staying healthy"),
        ("safe", "Feeling safe"),
        ("friends", "Friends and getting on with others"),
        ("learning", "Learning and school"),
        ("confidence", "Confidence and self-esteem"),
        ("family", "Getting on at home"),
    ]),
]

FAMILY_OUTCOMES = [
    ("parenting", "Parenting skills and confidence"),
    ("routines", "Family routines and boundaries"),
    ("attendance", "School attendance"),
    ("behaviour-school", "Behaviour at school"),
    ("behaviour-home", "Behaviour at home"),
    ("domestic-abuse", "Domestic abuse"),
    ("housing", "Housing and home conditions"),
    ("finance", "Finance and debt"),
    ("employment", "Employment, education or training of adults"),
    ("emotional-wellbeing", "Emotional wellbeing"),
    ("physical-health", "Physical health"),
    ("substance-misuse", "Substance misuse"),
    ("parent-child", "Parent and child relationships"),
    ("self-esteem", "Self-esteem and confidence"),
    ("young-carers", "Young carers' support"),
    ("offending", "Offending and anti-social behaviour"),
    ("exploitation", "Risk of exploitation"),
    ("community", "Links with the community"),
]

PROGRAMME_NAME = "Supporting Families outcome framework"
PROGRAMME_OUTCOMES = [
    ("good-education", "Getting a good education"),
    ("early-years", "Good early years development"),
    ("health", "Improved mental and physical health"),
    ("substance-use", "Promoting recovery and reducing harm from substance use"),
    ("family-relationships", "Improved family relationships"),
    ("safe-from-abuse", "Children safe from abuse and exploitation"),
    ("crime", "Crime prevention and tackling crime"),
    ("domestic-abuse", "Safe from domestic abuse"),
    ("housing", "Secure housing"),
    ("financial-stability", "Financial stability"),
]

# The National Framework outcome (cases.national_framework) each default area serves: the tags a council starts
# with and can change. Codes not listed are left untagged.
FAMILY_OUTCOME_NF = {
    "parenting": "stay_together", "routines": "stay_together", "attendance": "stay_together",
    "behaviour-school": "stay_together", "behaviour-home": "stay_together", "domestic-abuse": "safe",
    "housing": "stay_together", "finance": "stay_together", "employment": "stay_together",
    "emotional-wellbeing": "stay_together", "physical-health": "stay_together", "substance-misuse": "safe",
    "parent-child": "stay_together", "self-esteem": "stay_together", "young-carers": "stay_together",
    "offending": "safe", "exploitation": "safe", "community": "family_network",
}
PROGRAMME_OUTCOME_NF = {
    "good-education": "stay_together", "early-years": "stay_together", "health": "stay_together",
    "substance-use": "safe", "family-relationships": "family_network", "safe-from-abuse": "safe", "crime": "safe",
    "domestic-abuse": "safe", "housing": "stay_together", "financial-stability": "stay_together",
}
