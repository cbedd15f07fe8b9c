"""Minimum-functionality cases: each sentence states exactly one need, present, for the client.

Written for these tests (not taken from the dev set), in the registers staff use: full
sentences, abbreviations, telegraphic hotline lines and screening answers.
"""

MFT_CASES: dict[str, list[str]] = {
    "housing_instability": [
        "Cl received a 30 day notice to vacate from her landlord.",
        "Pt is 3 months behind on rent and facing eviction.",
        "Family at risk of losing their apartment after rent increase.",
        "Home has black mold and no working smoke detectors.",
        "Youth aging out of foster care next month with no plan for where to live.",
    ],
    "homelessness": [
        "Cl currently staying at the family shelter on 5th St.",
        "Pt has been sleeping in his car for two weeks.",
        "Couch surfing w/ friends since losing apt.",
        "Client reports she has nowhere to go tonight.",
        "Living on the street, no fixed address.",
    ],
    "food_insecurity": [
        "Mom reports skipping meals so the kids can eat.",
        "Family ran out of food stamps and has no food in the house.",
        "Within the past 12 months the food we bought just didn't last: often true",
        "Cl uses the food pantry weekly, not enough to eat.",
        "Baby's formula runs out before the end of the month; ran out of formula twice.",
        "No money for food until the 1st.",
        "She does not have enough food for the kids this week.",
    ],
    "financial_strain": [
        "Client has no income since benefits were cut.",
        "Pt is drowning in medical debt and has bills past due.",
        "Savings are gone and she can't afford basic expenses.",
        "Struggling financially after divorce, in collections.",
    ],
    "utilities": [
        "Electric company sent a shut-off notice last week.",
        "Cl's power was shut off on Monday.",
        "No heat in the unit, using the oven to stay warm.",
        "Water was shut off for nonpayment.",
        "Needs LIHEAP for heating bill.",
    ],
    "employment": [
        "Client was laid off from the warehouse in October.",
        "Pt is unemployed and looking for work.",
        "Hours cut at restaurant from 40 to 15 per week.",
        "Cl lost his job last month.",
    ],
    "transportation": [
        "Client has no car and the bus does not run to her clinic.",
        "Pt's license suspended, cannot drive to work.",
        "Needs bus pass to get to appointments.",
        "Car broke down, no way to get to the job site.",
        "Lack of reliable transportation makes her miss dialysis.",
    ],
    "health_insurance": [
        "Client is uninsured.",
        "Pt lost Medicaid coverage at renewal.",
        "No health insurance since leaving job.",
        "Coverage lapsed in January, needs help to reapply.",
    ],
    "medical_care": [
        "Pt has been rationing insulin because she cannot afford it.",
        "Client has no PCP and uses the ER for care.",
        "Missed dialysis twice this month.",
        "Cl cannot afford his blood pressure medication.",
    ],
    "mental_health": [
        "Client reports feeling depressed and hopeless most days.",
        "Pt has PTSD and panic attacks since the accident.",
        "Cl hearing voices, psych eval recommended.",
        "Mother requests counseling for son's aggression at school.",
    ],
    "substance_use": [
        "Pt reports daily heroin use.",
        "Client drinking heavily, a fifth of vodka a day.",
        "Cl relapsed on meth last week.",
        "ETOH abuse, drinks until he blacks out; blackouts weekly.",
    ],
    "suicide_risk": [
        "Client endorses SI with a plan.",
        "Pt reports thoughts of killing herself.",
        "Youth has been cutting himself on his arms.",
        "Caller states he wants to die and has pills saved up.",
        "Attempted suicide by overdose on Friday.",
    ],
    "interpersonal_violence": [
        "Client's boyfriend choked her during an argument.",
        "Pt discloses DV, husband hits her when he drinks.",
        "Cl afraid of her partner, who controls her money and phone.",
        "Ex-boyfriend stalking her and showing up at work.",
        "Elderly client's son has been taking her money and yelling at her.",
    ],
    "child_safety": [
        "School reports the 6 yo is often left home alone overnight.",
        "Teacher noticed bruises on the child, child says dad hits him with a belt.",
        "PE teacher saw fingertip-shaped bruises on the student's upper arms.",
        "Toddler found unsupervised in the parking lot.",
        "Concern for neglect: kids are hungry and unbathed.",
    ],
    "social_isolation": [
        "Client lives alone and has no one to talk to.",
        "Pt feels lonely since her husband died, no family nearby.",
        "Cl is isolated, estranged from his family.",
        "Senior is homebound with no support system.",
    ],
    "legal": [
        "Client has a court date for custody on Monday.",
        "Pt has an outstanding warrant.",
        "Needs legal aid for immigration case.",
        "Cl on probation, sees PO weekly; pending charges.",
    ],
    "childcare": [
        "Mom cannot start her new job because she has no childcare.",
        "Lost daycare subsidy, cannot afford child care.",
        "No one to watch the kids while she attends treatment.",
        "Needs after-school care for her 8 yo.",
    ],
}
