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
