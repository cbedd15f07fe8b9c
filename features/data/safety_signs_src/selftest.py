from matcher import M

m = M()
POS = {
    "suicide_risk": [
        "Client stated she wishes she were dead and has been stockpiling her sleeping pills.",
        "Pt reports SI with plan to overdose on his insulin.",
        "Mother reports 15yo son has been cutting his forearms and wears long sleeves to hide it.",
        "He gave away his guns last week and said goodbye to his kids.",
        "Caller says she can't take it anymore and everyone would be better off without her.",
        "Youth took a handful of Tylenol after a fight with her mom.",
        "Client was 5150'd last night after threatening to jump off the overpass.",
        "EPDS item 10 positive; pt endorses thoughts of harming herself.",
        "He put the gun to his head in front of his wife.",
        "Client said I want to kill myself, I have nothing to live for.",
        "She swallowed a bottle of pills on Friday.",
        "Dad reports teen has a noose in his closet.",
    ],
    "interpersonal_violence": [
        "Client's boyfriend put his hands around her neck until she passed out.",
        "Her husband takes her paycheck and won't let her have a bank account.",
        "Ex tracks her phone and shows up at her work every day.",
        "Pt states partner punched her in the face on Saturday.",
        "Son cashed her Social Security check and left her without food.",
        "He threatened to kill her if she calls the police.",
        "Client is afraid of her husband and does not feel safe at home.",
        "He threatened to take the kids and call ICE on her.",
        "Client requests help with a protective order against her ex-boyfriend.",
        "Her grandson pushed her down the stairs.",
        "He forced her to have sex and poked holes in the condoms.",
        "Boyfriend smashed her phone and punched a hole in the wall.",
        "Caregiver withholds his medication and leaves him in soiled briefs.",
        "He is violently jealous and accuses her of cheating.",
    ],
    "child_safety": [
        "School nurse noted bruises on his ears and neck.",
        "Mom left the kids home alone overnight.",
        "Infant with bruising on the cheek, explanation does not match the injury.",
        "The 4 year old was found wandering in the street unsupervised.",
        "Dad whooped him with an extension cord.",
        "Child reports stepdad touched her private parts.",
        "Baby tested positive for fentanyl at birth.",
        "Kids always hungry, steals food at school, smells of urine.",
        "Father shook the baby when he wouldn't stop crying.",
        "Student chronically absent and not enrolled in school since March.",
        "Mom was passed out with the baby on the couch.",
        "The children witnessed the assault.",
        "Mom reports intrusive thoughts of harming the baby.",
        "CPS report filed today.",
        "She said her dad hits her with a belt.",
    ],
}
NEG = [
    "Client is killing it at her new job and hit it off with her supervisor.",
    "She got her flu shot and a booster shot today.",
    "Benefits were cut and her hours were cut; she is cutting back on expenses.",
    "Landlord kicked her out; we followed up with her on Tuesday.",
    "She is dying to see her grandkids; her phone died during the call.",
    "Deadline for the appeal is Friday; the burden of proof is on the landlord.",
    "She took her pills this morning as prescribed.",
    "He hung up the phone and we will follow up next week.",
    "She was shaken up after the car accident.",
    "Client applied for the DV lottery visa in 2019.",
    "We touched base about her private school application.",
    "Put the baby down for a nap at 2pm.",
    "He pushed back the meeting and threw a party for his mom.",
    "The court found abuse of discretion; counsel neglected to file the brief.",
    "Client had a panic attack at the hearing.",
    "She left the kids with grandma while she went to work.",
    "Her son hit the jackpot at bingo.",
]
miss = 0
for need, ss in POS.items():
    for s in ss:
        h = m.match(s)
        needs = {nc[0] for nc, _ in h}
        flag = "OK " if need in needs else "MISS"
        if need not in needs:
            miss += 1
        print(flag, need, "|", s, "|", sorted({(nc[1], p) for nc, p in h if nc[0] == need})[:3])
print("---- negatives")
fp = 0
for s in NEG:
    h = m.match(s)
    if h:
        fp += 1
    print("FP " if h else "ok ", s, "|", sorted({(nc[1], p) for nc, p in h})[:4])
print("misses", miss, "fps", fp)
