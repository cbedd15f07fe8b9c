"""Directional cases: (text, need, expected status, expected experiencer)."""

CONTEXT_CASES: list[tuple[str, str, str, str]] = [
    # negation, forward and backward, with field abbreviations
    ("Pt denies SI/HI.", "suicide_risk", "negated", "client"),
    ("Cl denies SI, HI or AVH.", "suicide_risk", "negated", "client"),
    ("No DV reported.", "interpersonal_violence", "negated", "client"),
    ("no IPV, no CPS hx", "interpersonal_violence", "negated", "client"),
    ("Client is not homeless at this time.", "homelessness", "negated", "client"),
    ("SI: denied", "suicide_risk", "negated", "client"),
    ("Substance use: none.", "substance_use", "negated", "client"),
    ("Screening negative for food insecurity.", "food_insecurity", "negated", "client"),
    ("Denies any history of drug use.", "substance_use", "negated", "client"),
    ("Worried food would run out: never true", "food_insecurity", "negated", "client"),
    ("Are you worried about losing your housing? No", "housing_instability", "negated", "client"),
    ("Rent is current and utilities are paid.", "housing_instability", "negated", "client"),
    ("Medicaid active.", "health_insurance", "negated", "client"),
    ("DV screen neg.", "interpersonal_violence", "negated", "client"),
    ("Says she is current on her utilities.", "utilities", "negated", "client"),
    # a reverse-worded item: the answer to "safe?" denies or affirms violence
    ("Do you feel safe at home? No", "interpersonal_violence", "present", "client"),
    ("Feels safe at home: yes", "interpersonal_violence", "negated", "client"),
    (
        "Do you feel physically and emotionally safe where you live? Yes",
        "interpersonal_violence",
        "negated",
        "client",
    ),
    # negation scope ends at "but" and does not reach a need stated after it
    ("Denies SI but reports feeling hopeless.", "mental_health", "present", "client"),
    ("No DV concerns, but is 2 months behind on rent.", "housing_instability", "present", "client"),
    # pseudo-triggers: negation words that state a need
    ("Cl can't pay rent this month.", "housing_instability", "present", "client"),
    ("Has not been able to find work since March.", "employment", "present", "client"),
    (
        "Not only is she behind on rent, the heat was shut off.",
        "housing_instability",
        "present",
        "client",
    ),
    ("No car, no bus line near home.", "transportation", "present", "client"),
    # history
    ("Hx of heroin use, in recovery.", "substance_use", "historical", "client"),
    (
        "h/o DV with ex-husband, no contact for years.",
        "interpersonal_violence",
        "historical",
        "client",
    ),
    ("Sober since 2015.", "substance_use", "historical", "client"),
    # time in recovery dates the use; a relapse after it is use now
    ("Five yrs sober from alcohol, sees sponsor weekly.", "substance_use", "historical", "client"),
    ("Has been clean from heroin since his son was born.", "substance_use", "historical", "client"),
    ("Relapsed on heroin last week after 9 months clean.", "substance_use", "present", "client"),
    ("Was homeless in 2018, housed since.", "homelessness", "historical", "client"),
    ("Client is no longer homeless.", "homelessness", "historical", "client"),
    # a bare past year or span of years dates the mention beside it
    (
        "Laid off 2023, UI ran out, started at the depot in Jan.",
        "employment",
        "historical",
        "client",
    ),
    (
        "Ex-partner beat her 2019-2021, no contact since.",
        "interpersonal_violence",
        "historical",
        "client",
    ),
    # an adult son or daughter, a suspect, is someone else; a young child's need is the client's
    ("Son (38) has been living in a tent by the river.", "homelessness", "present", "other"),
    ("Daughter, 23, has no insurance.", "health_insurance", "present", "other"),
    ("Son (4) has no insurance.", "health_insurance", "present", "client"),
    ("Suspect arrested at the scene.", "legal", "present", "other"),
    # ... but not the year something lasts until, nor "since <month> <year>"
    ("On parole thru 2026, reports weekly.", "legal", "present", "client"),
    ("Behind on rent since Oct 2025.", "housing_instability", "present", "client"),
    ("Previously uninsured, now on Medicaid.", "health_insurance", "historical", "client"),
    ("Homeless since March, staying at the shelter.", "homelessness", "present", "client"),
    # "before that" dates what follows it; recovery from a use is its past
    (
        "Housed since July. Before that he was homeless for a year.",
        "homelessness",
        "historical",
        "client",
    ),
    ("Medicaid since March; before that uninsured.", "health_insurance", "historical", "client"),
    ("Four years in recovery from opioid use.", "substance_use", "historical", "client"),
    # a screening form's boxes: a ticked item is stated, an empty one denied; boxes follow
    # their items on a line that ends with a box
    (
        "Unable to get when really needed: [ ] Food [x] Utilities [ ] Child care",
        "utilities",
        "present",
        "client",
    ),
    (
        "Unable to get when really needed: [ ] Food [x] Utilities [ ] Child care",
        "childcare",
        "negated",
        "client",
    ),
    ("Unable to get: Utilities [ ]  Child care [x]", "utilities", "negated", "client"),
    ("Unable to get: Utilities [ ]  Child care [x]", "childcare", "present", "client"),
    ("Need help with: ☐ Utilities ☒ Child care", "utilities", "negated", "client"),
    # ... and a ticked box chooses a questionnaire answer
    (
        "Worried food would run out: [ ] Often true [x] Never true",
        "food_insecurity",
        "negated",
        "client",
    ),
    (
        "Worried food would run out: Often true [x] Never true [ ]",
        "food_insecurity",
        "present",
        "client",
    ),
    (
        "Worried food would run out, past 12 mo: [x] Sometimes true",
        "food_insecurity",
        "present",
        "client",
    ),
    # after a dash an answer must end the item: "no car" states a need, "- no" answers
    ("Transportation - no car, misses appointments.", "transportation", "present", "client"),
    ("Passive SI - 'wish I could disappear' - no plan.", "suicide_risk", "present", "client"),
    ("Utilities - No | Child care - Yes", "utilities", "negated", "client"),
    # a form's dot leader separates an item from its answer
    ("Worried food would run out ....... Never true", "food_insecurity", "negated", "client"),
    # the answer to a question counts for every need it asks about
    (
        "Unable to get food, utilities or child care when really needed? No, none of these",
        "utilities",
        "negated",
        "client",
    ),
    # a separator inside brackets does not cut the item from its answer
    (
        "PHQ-9 item 9 (better off dead / hurting yourself): not at all",
        "suicide_risk",
        "negated",
        "client",
    ),
    # last year, a past season, a span of months and "at the time" date what is near them
    ("Last winter the power was shut off for nine days.", "utilities", "historical", "client"),
    ("Fell behind last year when she had no childcare.", "childcare", "historical", "client"),
    (
        "Was out of work Feb-June after the layoff, got on at the mill.",
        "employment",
        "historical",
        "client",
    ),
    ("From June to September she had no daycare for Luz.", "childcare", "historical", "client"),
    ("The apartment had no food at the time.", "food_insecurity", "historical", "client"),
    # ... but a screening question's time frame does not
    (
        "In the last year, did you run out of food before you had money to buy more? Yes",
        "food_insecurity",
        "present",
        "client",
    ),
    # a fear of what will happen, and a service kept for "if needed", are hypothetical
    (
        "Afraid she'll lose the job if she is out more than 3 days.",
        "employment",
        "hypothetical",
        "client",
    ),
    ("Shelter w/ kids if needed.", "homelessness", "hypothetical", "client"),
    ("Legal aid referral ready in case he files.", "legal", "hypothetical", "client"),
    # ... but what a discharge "will need" is needed now
    ("Will need hospital bed, wheelchair, HH PT/OT.", "medical_care", "present", "client"),
    # hypothetical
    ("If the plant closes she will lose her job.", "employment", "hypothetical", "client"),
    ("May need shelter in January.", "homelessness", "hypothetical", "client"),
    (
        "Worried she might be evicted if her hours are cut.",
        "housing_instability",
        "hypothetical",
        "client",
    ),
    ("Could end up homeless if the landlord sells.", "homelessness", "hypothetical", "client"),
    ("Was evicted in May and has no place to stay.", "homelessness", "present", "client"),
    ("Worried food would run out: often true", "food_insecurity", "present", "client"),
    # other person
    ("Her mother is diabetic and uninsured.", "health_insurance", "present", "other"),
    ("Cl's brother is homeless and using drugs.", "homelessness", "present", "other"),
    ("Pt's husband was laid off last week.", "employment", "present", "other"),
    (
        "Client's adult son, who lives with her, drinks heavily.",
        "substance_use",
        "present",
        "other",
    ),
    ("Neighbor reports the children are left home alone.", "child_safety", "present", "client"),
    ("Mother says she has no food at home.", "food_insecurity", "present", "client"),
    # violence by another person is the client's need, not the other person's
    ("Boyfriend hit her last night.", "interpersonal_violence", "present", "client"),
    ("Father hits him with a belt.", "child_safety", "present", "client"),
    ("Her son took money from her account.", "financial_strain", "present", "client"),
    # ...unless the other person is the one harmed
    ("Her sister is being abused by her boyfriend.", "interpersonal_violence", "present", "other"),
    # telegraphic " / " ends a clause: the negation does not reach the next item
    ("MH: no current provider / uninsured / rural", "health_insurance", "present", "client"),
    ("Stated she would be better off dead.", "suicide_risk", "present", "client"),
    ("Hard to pay for basics: very hard", "financial_strain", "present", "client"),
    ("Hard to pay for basics: not hard at all", "financial_strain", "negated", "client"),
    ("How often do you feel lonely or isolated: rarely", "social_isolation", "negated", "client"),
    # a yes to a question about the past dates it; a screener's window is now
    (
        "Suicidal behavior: Lifetime - Yes (2017, intentional overdose). Past 3 months - No",
        "suicide_risk",
        "historical",
        "client",
    ),
    (
        "Has she ever attempted suicide? Yes (2016, overdose).",
        "suicide_risk",
        "historical",
        "client",
    ),
    (
        "Past 2 wks feeling down, depressed or hopeless: More than half the days",
        "mental_health",
        "present",
        "client",
    ),
    # instrument answers that state the need, or deny it
    ("What is your main insurance? None/uninsured", "health_insurance", "present", "client"),
    (
        "Work situation: Otherwise unemployed but not seeking work (retired)",
        "employment",
        "negated",
        "client",
    ),
    # an answer after a standing dash is read with its item; one that does not end it is not
    (
        "How often do you feel lonely or isolated from those around you? -- Never"
        " / Tobacco -- Never",
        "social_isolation",
        "negated",
        "client",
    ),
    (
        "SI: 'sometimes I wish I would not wake up' -- no plan, no intent.",
        "suicide_risk",
        "present",
        "client",
    ),
    # a relative's partner harms the relative
    (
        "Caller re sister. Sister's husband hits her when he drinks.",
        "interpersonal_violence",
        "present",
        "other",
    ),
    # the name of a screening instrument is no finding; its answers decide
    (
        "Hunger Vital Sign (peds well visit)\n"
        "Within the past 12 months we worried whether our food would run out before we got"
        " money to buy more: Never true\n"
        "Within the past 12 months the food we bought just didn't last and we didn't have"
        " money to get more: Never true",
        "food_insecurity",
        "negated",
        "client",
    ),
]
