from matcher import M

m = M()
TRICKY_NEG = [
    "Her husband hurt his back at work and is on disability.",
    "Partner was hit by a car last year and uses a wheelchair.",
    "The baby choked on a grape and couldn't breathe for a moment; EMS called.",
    "She shook her head when asked about her son's school.",
    "Her husband is a bit controlling about the budget but supportive.",
    "Client's son kicked the ball through the window.",
    "Grandson beat the charges in court last month.",
    "The kids threw a tantrum at the store.",
    "Student was struck by a car while walking to school.",
    "Client's daughter hit her head when she fell off the bike.",
    "Mom left early for work; the children are in daycare.",
    "Wife pushed for the divorce to be finalized.",
    "Boyfriend's mother passed away; he is grieving.",
    "She is afraid her landlord will evict her.",
    "Client has two kids and worries about food stamps being cut.",
    "No food in the house until her SNAP loads on the 5th.",
    "The child has a high fever and was taken to urgent care.",
    "Her son needs a new pair of shoes for winter.",
    "Husband controls his diabetes with insulin.",
    "She takes her son to the doctor every month.",
    "Client's partner tracks expenses in a spreadsheet.",
    "The baby's father checks in by phone every week.",
]
TRICKY_POS = [
    ("He grabbed her by the throat and slammed her into the wall.", "interpersonal_violence"),
    ("Pt's bf choked her last night, she had trouble swallowing.", "interpersonal_violence"),
    ("Husband keeps her EBT card and gives her an allowance.", "interpersonal_violence"),
    ("Her ex keeps showing up at her apartment at 3am.", "interpersonal_violence"),
    ("Mom's boyfriend whips the kids with a belt.", "child_safety"),
    ("The toddler got into her mother's methadone.", "child_safety"),
    ("Baby with a torn frenulum and bruising to the torso.", "child_safety"),
    ("Teen disclosed that her uncle touched her inappropriately.", "child_safety"),
    ("Kids found alone in the apartment for two days.", "child_safety"),
    ("She said she is going to end it all tonight.", "suicide_risk"),
    ("He googled how many pills it would take.", "suicide_risk"),
    ("Client feels like a burden to her family and has no reason to live.", "suicide_risk"),
    ("Daughter (14) has scars on her thighs from cutting.", "suicide_risk"),
    ("He wrote a goodbye letter to his kids.", "suicide_risk"),
    (
        "Elderly client's nephew is using her debit card and won't let her see her friends.",
        "interpersonal_violence",
    ),
]
for s in TRICKY_NEG:
    h = m.match(s)
    print("FP " if h else "ok ", s, "|", sorted({(nc[0][:5], nc[1], p) for nc, p in h})[:4])
print("----")
for s, need in TRICKY_POS:
    h = m.match(s)
    needs = {nc[0] for nc, _ in h}
    print(
        "OK " if need in needs else "MISS",
        s,
        "|",
        sorted({(nc[1], p) for nc, p in h if nc[0] == need})[:3],
    )
