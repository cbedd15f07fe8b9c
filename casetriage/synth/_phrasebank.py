"""What staff write about each need, by status and experiencer: templates and slot fillers.

Template syntax: ``[a|b|c]`` picks one alternative, ``{slot}`` is filled from the note's
context (client pronouns, children, relatives, dates, amounts). A prefix before ``~`` restricts a
template to cases it fits: K children in the household, A lives alone, R renting or public
housing, O owner, F staying with family, S shelter, U unhoused (street, car), W has an income,
E aged 65 or more, H housed (not shelter or street), V written in person (not a hotline call);
``+need~`` a sentence that evidences that need too, used only when the case has it.
Every template names its need in words an extractor must learn; none is copied from the dev set.
"""

# Templates are data: one template a line reads and diffs better than strings cut at 100.
# ruff: noqa: E501

from __future__ import annotations

__all__ = [
    "CLOSERS",
    "HISTORICAL",
    "HYPOTHETICAL",
    "NEGATED",
    "OTHER",
    "PLAN",
    "PRESENT",
    "SCREENING",
    "TYPOS",
]

PRESENT: dict[str, tuple[str, ...]] = {
    "housing_instability": (
        "R~{Cl} [received|got] [an eviction notice|a notice to vacate|a 3-day pay or quit notice from the landlord|a 30 day notice to vacate] [last week|on {month} {day}|this month]",
        "R~{Cl} is {n} months behind on rent and the landlord [has filed for eviction|is threatening eviction]",
        "R~[Landlord|Property manager] [gave|served] {obj} [a 60 day notice to leave|notice to vacate|an eviction notice]",
        "R~[Unit|Apartment] has [black mold|a caved-in ceiling|no working locks|rats and roaches] and the landlord [will not|won't] fix it; home is unsafe",
        "O~[Behind on|Missed {n}] mortgage payments, house [is in foreclosure|goes to foreclosure sale in {month}]",
        "R~{Cl} owes {amt} in back rent",
        "R~Rent [went up|was raised] {amt} and {she} [cannot|can't] keep up; [arrears|rent arrears] growing",
        "R~Lease ends [next month|at the end of {month}] and the landlord [will not|won't] renew",
        "F~[Relatives|{Her} family] asked {obj} to move out by [the end of the month|{month} {day}]",
        "R~[Housing|Housing situation] unstable, facing eviction",
        "R~Eviction [pending|filed], {she} [has|got] {n} weeks to [leave|move out]",
        "O~[Home|House] is [unsafe|falling apart and unsafe]: [no working toilet|roof leaking into the bedroom|floor rotting]",
        "+financial_strain~O~House is unsafe: [roof leaking into the bedroom|floor rotting] and {she} cannot afford repairs",
    ),
    "homelessness": (
        "S~{Cl} [is|has been] staying at the [family|emergency|downtown] shelter [since {month}|for {n} weeks|since last week]",
        "S~Currently in [a shelter|shelter], [bed|stay] ends [Friday|in {n} days]",
        "S~{Cl} [is in|has] a motel voucher [through the county|for {n} more nights], no home",
        "U~{Cl} [is sleeping|has been sleeping|sleeps] in {her} car [in a store parking lot|most nights|since {month}]",
        "U~Currently [homeless|unhoused|street homeless], [sleeping at the bus station|staying at an encampment by the river|sleeping outside behind a church]",
        "U~{Cl} [is|has been] living [on the street|in a tent] [since {month}|for {n} months]",
        "U~K~{Cl} and {kids} are living in {her} car",
        "F~{Cl} is couch surfing [between friends|with different friends], no place of {her} own",
        "F~Sleeping on a [cousin's|friend's] [couch|sofa] [since {month}|for now]; has no home",
        "[Homeless|Unhoused] x {n} [months|weeks]",
        "{Cl} has nowhere to [sleep|stay] tonight",
    ),
    "food_insecurity": (
        "{Cl} [reports|says] [the family|they] [run|runs] out of food [before the end of the month|by the third week]",
        "SNAP [runs out|benefits run out] mid-month and {she} skips meals",
        "K~{Cl} [has been skipping|skips] [meals|dinner|lunch] so {kids} can eat",
        "[There is|Has] no food in the house, [waiting on|pending] SNAP recertification",
        "Relies on [the|a] food pantry [weekly|most weeks] and it is not enough",
        "K~Out of [baby formula|formula] [since yesterday|for the baby], [watering it down|stretching it with water]",
        "{Cl} [is|reports being] hungry most days, eating once a day",
        "[Food insecure|Food insecurity]: not enough to eat [most weeks|at the end of the month]",
        "K~{kids_cap} [went to school hungry|went to bed hungry] [several times this month|most nights last week]",
        "EBT [balance|card] is at zero and [the fridge is empty|there is no food left]",
    ),
    "financial_strain": (
        "{Cl} has no income [since {month}|at the moment|of any kind]",
        "[Behind on|Can't pay] [bills|the car payment|medical bills|credit card payments], [debt collectors calling|accounts in collections]",
        "{Cl} [took out|has] payday loans and [cannot|can't] repay them",
        "Savings [gone|used up], {she} [cannot|can't] [afford|cover] basic costs",
        "[SSI|SSDI|TANF|Unemployment] benefits [stopped|were cut off|ended] [last month|in {month}], no money coming in",
        "Owes {amt} in [medical debt|credit card debt|back taxes]",
        "Money is [very tight|a constant struggle]; {she} [cannot|can't] make ends meet",
        "[Income does not cover|Not enough income for] basic bills",
        "{Cl} is [broke|out of money] until [the next check|the first of the month] and [owes|owing] {amt}",
    ),
    "utilities": (
        "[Electric|Power|Gas|Water] was shut off [on {month} {day}|last week|{n} days ago]",
        "{Cl} has a shut-off notice from the [electric company|gas company|water department] for {amt}",
        "No [heat|hot water|running water] in the [apartment|house|unit] [since {month}|for a week]",
        "{Her} phone was disconnected for nonpayment",
        "Lights [are off|got cut off], using [candles|flashlights] at night",
        "+financial_strain~[Gas|Electric] bill is {amt} past due and [disconnection|shutoff] is scheduled for {month} {day}",
        "[Disconnection|Shutoff] of [gas|electric|water] scheduled for {month} {day}",
        "[Power|Electricity] [disconnected|cut off]; food spoiled in the fridge",
        "Utilities: [gas off|water off|electric off] since {month}",
    ),
    "employment": (
        "{Cl} was laid off [from {job}|in {month}|{n} weeks ago]",
        "{Cl} lost {her} job [at {job}|last month|{n} weeks ago]",
        "Hours were cut [to {n} a week|in half] at {job}",
        "Unemployed since {month}, [looking for work|applying everywhere]",
        "{Cl} was fired [from {job}|last week] and [needs|wants] help finding work",
        "{Cl} [is looking for|needs] [work|a job], has a [CDL|CNA license|food handler card|welding certificate]",
        "Job at risk: [supervisor|manager] warned {her} [about attendance|{she} is next to be let go]",
        "Out of work [since the plant closed|since {month}], no job leads",
        "[Seasonal|Temp] job [ended|ran out] at {job}; [now unemployed|no work since]",
    ),
    "transportation": (
        "{Cl} has no car and [no bus line nearby|the nearest bus stop is {n} miles away]",
        "{Her} car [broke down|needs a new transmission|was totaled] and {she} [cannot|can't] get to [work|appointments|the job center]",
        "No ride to [appointments|work|the benefits office]",
        "[License suspended|License revoked], [cannot|can't] drive to [work|appointments]",
        "{Cl} [requests|asked for] [a transit pass|bus tokens|gas cards] to get to [work|appointments]",
        "Walks {n} miles to [work|appointments] [because|since] there is no transit [out there|in {her} area]",
        "[Rural|Lives out of town], no transportation to services",
        "Missed [appointments|a job interview] [because|since] {she} had no ride",
    ),
    "health_insurance": (
        "{Cl} is uninsured",
        "[Medicaid|Medi-Cal|{Her} insurance] [lapsed|was terminated|ended] [in {month}|after a missed renewal]",
        "No health insurance [since {month}|for over a year]",
        "+financial_strain~[Cannot|Can't] afford the [marketplace|COBRA] premium, coverage ended",
        "[Marketplace|COBRA] coverage ended in {month}, [not insured now|no insurance since]",
        "K~{kids_cap} lost [CHIP|Medicaid] coverage in {month}",
        "Medicaid [closed|cut off] for paperwork, [no coverage now|now uninsured]",
        "[No insurance|Uninsured], [pays cash|self-pay] at urgent care",
    ),
    "medical_care": (
        "{Cl} has [uncontrolled diabetes|a foot wound that is not healing|very high blood pressure] and no [primary care doctor|PCP]",
        "{Cl} ran out of {her} [insulin|blood pressure meds|inhaler|seizure medication] [last week|{n} days ago]",
        "+financial_strain~{Cl} cannot afford {her} [insulin|blood pressure meds|inhaler|seizure medication]",
        "Missed [{n} dialysis sessions|{her} last two specialist appointments|a follow-up with the surgeon]",
        "Needs help at home after [surgery|a stroke|a fall]; cannot bathe without help",
        "Has a bad tooth infection, [no dentist|cannot find a dentist who takes {her} plan]",
        "K~{kid_cap} has asthma and [no inhaler|has not seen a doctor in two years]",
        "[Cutting pills in half|Skipping doses] to make {her} [meds|medication] last",
        "Needs [a wheelchair|a home health aide|wound care] and has not been able to get it",
        "[Chest pain|Pain] for weeks, has not seen a doctor [since {month}|yet]",
    ),
    "mental_health": (
        "{Cl} [reports|endorses|describes] [depression|feeling depressed|low mood|anxiety|panic attacks] [most days|for months|since {month}]",
        "{Cl} has PTSD [from military service|after a car accident|from childhood trauma] and [is not in treatment|needs counseling]",
        "[Dx|Diagnosed with] [bipolar disorder|schizophrenia|major depression], not connected to a psychiatrist",
        "[Tearful|Crying] throughout the [visit|call], says {she} [can't stop worrying|feels hopeless and overwhelmed]",
        "{Cl} [requests|is asking for] [counseling|therapy|a therapist] for [grief|anxiety|{her} nerves]",
        "K~{kid_cap} [has been acting out|is aggressive at school|won't leave {kid_pos} room] and needs [counseling|a behavioral health eval]",
        "Hearing voices [at night|again], [paranoid|very guarded] during the [visit|call]",
        "MH: [depressed|anxious], [poor sleep|not sleeping], [no current provider|waitlisted for therapy]",
        "[Severe|Constant] anxiety, [cannot|can't] leave the house without panic",
    ),
    "substance_use": (
        "{Cl} [drinks|is drinking] [a fifth of vodka|a 12-pack|heavily] [daily|most days]",
        "{Cl} [is using|uses|admits using] [meth|fentanyl|heroin|crack|pills] [daily|most days|again]",
        "[Relapsed|Relapse] on [alcohol|opioids|meth] [last month|{n} weeks ago]",
        "V~Smelled of [alcohol|ETOH] at the [visit|appointment]",
        "Positive [UDS|drug screen] for [fentanyl|meth|cocaine]",
        "{Cl} [wants|is asking for] help getting into [detox|rehab|treatment] for [alcohol|opioid] use",
        "Active [SUD|substance use|alcohol use disorder], [not in treatment|no treatment yet]",
        "[ETOH|Alcohol] use [daily|heavy], [shaky|has withdrawal] in the mornings",
    ),
    "suicide_risk": (
        "{Cl} [endorses|reports] SI [with a plan|without a plan|with intent]",
        "{Cl} [said|stated] {she} [wants to die|would be better off dead|does not want to wake up|thinks about ending {her} life]",
        "Suicide attempt [last week|{n} days ago] by [overdose|cutting|hanging]",
        "V~Fresh [cuts|self-harm marks] on {her} [arms|wrists]; {she} admits cutting [to cope|when overwhelmed]",
        "Passive SI, [no plan or intent|no plan]; [crisis line number|988] given",
        "{Cl} has been [giving away belongings|writing goodbye letters] and talks about suicide",
        "[+SI|SI present], [plan|access to means] [disclosed|reported]",
        "Suicidal [thoughts|ideation] [daily|since {month}], [denies plan|has a plan]",
    ),
    "interpersonal_violence": (
        "{Cl} [reports|disclosed] {abuser} [hit|choked|slapped|punched|shoved] {obj} [last night|on {month} {day}|again this week]",
        "{Abuser} [controls all the money|takes {her} paycheck|tracks {her} phone] and has threatened to [hurt|kill] {obj} if {she} leaves",
        "DV: [bruises on {her} arms|black eye|marks on {her} neck] from {abuser}",
        "{Cl} is being stalked by {her} ex, who [shows up at {her} door|follows {her} car]",
        "[IPV|DV] [disclosed|reported]: {abuser} [strangled|pushed] {obj} [last week|{n} days ago]",
        "{Cl} is afraid of {abuser}, who [threatened|has threatened] to kill {obj}",
        "E~{Her} adult [son|nephew] [takes|has taken] {her} [pension|Social Security check] and [threatens|screams at] {obj}",
        "[Physical abuse|Ongoing abuse] by {abuser}; {Cl} wants [safety planning|a DV advocate]",
        "{Abuser} [forced|pressured] {obj} into sex and [controls|monitors] where {she} goes",
    ),
    "child_safety": (
        "K~{kid_cap} was left home alone [overnight|for two days|while {she} worked nights]",
        "K~School reported [bruises|marks] on {kid}; [CPS|child welfare] [notified|report made]",
        "K~{Abuser} [hits|beat] {kid} [with a belt|with a cord|when angry]",
        "K~{kids_cap} [looked dirty and unsupervised|missed weeks of school], [neglect|possible neglect] concern",
        "K~Open CPS case for [neglect|physical abuse]",
        "K~{kid_cap} disclosed [being touched|sexual abuse] by [a relative|an uncle|a family friend]",
        "K~Concern for neglect: {kids} left [unsupervised|alone] [at night|most evenings]",
        "K~[Toddler|{kid_cap}] found [wandering outside alone|alone near the road] [twice|last week]",
    ),
    "social_isolation": (
        "A~{Cl} lives alone and [has no one to call|has not spoken to family in years]",
        "{Cl} [says|reports] {she} has no one to [talk to|help {obj}|rely on]",
        "[No family|No support system|No friends] in the area; [feels|very] [lonely|isolated]",
        "Cut off from [{her} family|friends] since [moving here|{month}]",
        "[Socially isolated|Isolated], [rarely leaves the house|only contact is the mail carrier]",
        "A~{Cl} [spends|has spent] most days alone [and feels lonely|with no visitors]",
        "[Lonely|Isolated]; nobody checks on {obj} [anymore|since {her} friend died]",
    ),
    "legal": (
        "{Cl} has [a court date|a hearing] [on {month} {day}|next week] [for shoplifting|for trespassing|on a misdemeanor charge]",
        "Outstanding warrant for failure to appear",
        "+financial_strain~[Warrant|Bench warrant] out for unpaid [fines|tickets] {she} cannot pay",
        "{Cl} is on [probation|parole] and [needs help meeting conditions|missed a check-in]",
        "[Immigration|Asylum] case pending, [no attorney|needs a lawyer]",
        "K~Custody [dispute|hearing] with {her} ex [next month|on {month} {day}]",
        "Needs [legal aid|an attorney] [for an expungement|to get a record sealed|for a divorce]",
        "Pending charges; public defender [not yet assigned|has not called back]",
        "[Facing deportation|Removal proceedings], [hearing|court] in {month}",
    ),
    "childcare": (
        "K~{Cl} has no childcare [for {kid}|for the kids] [while at work|during {her} shifts]",
        "K~Daycare [closed|dropped {kid}], {she} has no one to watch the kids",
        "K~[Waitlisted|On the waitlist] for [Head Start|a childcare subsidy|after-school care]",
        "K~Needs childcare to attend [job training|appointments|GED classes]",
        "K~{Her} [mother|sitter] stopped watching the kids and {she} has no [backup|other childcare]",
        "+financial_strain~K~[Cannot|Can't] afford [daycare|child care] for {kid}",
        "K~No one to [watch|care for] {kids} [after school|during {her} night shifts]",
    ),
}

NEGATED: dict[str, tuple[str, ...]] = {
    "housing_instability": (
        "R~Landlord is fine, no arrears",
        "H~No risk of losing housing",
        "R~[Rent is|Rent's] [current|paid up|paid through {month}]",
        "H~No [housing concerns|eviction risk]",
        "R~[Housing stable|Stable housing], lease through [next year|{month}]",
        "H~Denies housing issues",
        "O~Mortgage [is current|paid]",
    ),
    "homelessness": (
        "Housed; not at risk of shelter",
        "Lives in own place, never homeless",
        "Denies homelessness",
        "[Has|Has a] stable place to live",
        "Not homeless, [no shelter stays|never been in a shelter]",
    ),
    "food_insecurity": (
        "Pantry not needed, groceries ok",
        "K~Kids eating well, no food shortage",
        "No food concerns",
        "[Denies|No] food insecurity",
        "Has enough food [at home|for the family]",
        "Food: no needs",
    ),
    "financial_strain": (
        "Able to cover expenses",
        "No debts reported",
        "No financial concerns",
        "Finances [stable|ok]",
        "Denies money problems",
        "W~Bills [are|all] paid",
    ),
    "utilities": (
        "No shut-off notices",
        "Lights, gas and water all on",
        "Utilities [on|current]",
        "No utility [shut-off|concerns]",
        "[Heat and lights|Power and water] are on",
    ),
    "employment": (
        "W~Has steady work at {job}",
        "E~Retired, not seeking work",
        "W~[Employed|Works] full time at {job}",
        "W~Job is stable",
        "W~Still working at {job}",
        "No employment concerns",
    ),
    "transportation": (
        "Takes the bus without difficulty",
        "Gets rides from {her} sister when needed, no barriers",
        "Has [a reliable car|own car|reliable transportation]",
        "No transportation [issues|barriers]",
        "Drives [self|{self}] to appointments",
    ),
    "health_insurance": (
        "Coverage active through Medicaid",
        "Insurance: Medicare, active",
        "[Medicaid|Insurance|Medicare] active",
        "Has [insurance|coverage] through [work|Medicaid|the marketplace]",
        "Insured, no coverage gaps",
    ),
    "medical_care": (
        "Established with a PCP, meds filled on time",
        "Medical needs met",
        "Sees {her} [PCP|doctor] regularly",
        "Meds [filled|up to date]",
        "No unmet medical needs",
    ),
    "mental_health": (
        "Denies depression or anxiety",
        "No psych hx, mood euthymic",
        "Denies [depression|anxiety|MH concerns]",
        "Mood [stable|good], no mental health concerns",
        "No [MH|mental health] needs identified",
    ),
    "substance_use": (
        "Does not drink or use drugs",
        "Denies ETOH",
        "No hx of substance use",
        "Denies [alcohol or drug use|substance use|ETOH/drug use]",
        "No [alcohol|drug] use",
        "No SUD concerns",
    ),
    "suicide_risk": (
        "Denies thoughts of suicide",
        "Denies SI, plan or intent",
        "No self-harm",
        "Denies SI",
        "Denies SI/HI",
        "No SI",
        "No thoughts of self-harm",
        "Denies suicidal ideation",
        "SI: denied",
    ),
    "interpersonal_violence": (
        "Denies IPV",
        "No DV concerns, feels safe with partner",
        "No abuse reported",
        "Denies DV",
        "No DV",
        "No IPV",
        "Feels safe at home",
        "Denies [abuse|violence] in the home",
    ),
    "child_safety": (
        "K~Kids well supervised, no neglect concerns",
        "K~No signs of abuse or neglect",
        "K~Children appear [well cared for|clean and appropriately supervised]",
        "K~No CPS concerns",
        "K~No concerns for the children's safety",
    ),
    "social_isolation": (
        "Close with {her} church group",
        "Sees family weekly, not lonely",
        "Good [support|family support]",
        "Has [friends|family] nearby who help",
        "Not isolated",
    ),
    "legal": (
        "No court dates or warrants",
        "Denies legal problems",
        "No legal [issues|involvement]",
        "Denies [court involvement|pending charges]",
        "No open court cases",
    ),
    "childcare": (
        "K~Kids in school full day, no childcare need",
        "K~Grandmother watches the kids, childcare covered",
        "K~No childcare needs",
        "K~Childcare [in place|arranged] through [Head Start|school|a relative]",
    ),
}

HISTORICAL: dict[str, tuple[str, ...]] = {
    "housing_instability": (
        "Lost a home to foreclosure in {year}, renting stably now",
        "Was evicted in {year}, [stable|housed] since",
        "Had an eviction in {year}; current [lease|housing] in good standing",
        "Fell behind on rent in {year} but caught up",
    ),
    "homelessness": (
        "Lived in {her} car for a while in {year}; housed now",
        "Former shelter resident ({year})",
        "[Was|Was briefly] homeless in {year}, housed since",
        "Stayed in a shelter in {year}; has had {her} own place since",
        "Hx of homelessness ({year}), [resolved|stably housed now]",
    ),
    "food_insecurity": (
        "Was on WIC and the food bank in {year}, not needed now",
        "Used the food pantry in {year}; no longer needs it",
        "Hx of food insecurity, resolved",
    ),
    "financial_strain": (
        "Had debt collectors calling in {year}, all paid now",
        "Paid off {her} debts in {year}",
        "Went through bankruptcy in {year}, finances stable now",
    ),
    "utilities": (
        "Power was shut off in {year}, restored since",
        "Past utility shut-off in {year}; bill current now",
    ),
    "employment": (
        "Out of work for a year in {year}; employed since",
        "Was unemployed in {year}, working since",
        "Laid off in {year}, found a new job [quickly|within a month]",
    ),
    "transportation": (
        "License was suspended in {year}, reinstated since",
        "Used to rely on rides but got a car in {year}",
    ),
    "health_insurance": (
        "Lost coverage briefly in {year}, reinstated",
        "Was uninsured until {year}, now has Medicaid",
    ),
    "medical_care": (
        "Went without insulin in {year}, now filled monthly",
        "Had [surgery|cancer treatment] in {year}, [recovered|no ongoing needs]",
    ),
    "mental_health": (
        "Was hospitalized for depression in {year}, stable since",
        "Past PTSD treatment, completed {year}",
        "Hx of depression, [in remission|resolved] since {year}",
        "Saw a counselor for anxiety in {year}, doing well",
    ),
    "substance_use": (
        "Clean since {year}",
        "In recovery {n} years, attends NA",
        "Quit drinking in {year}",
        "Sober since {year}",
        "Hx of [alcohol|opioid|meth] use, [in recovery|clean] since {year}",
        "Completed rehab in {year}, has stayed sober",
    ),
    "suicide_risk": (
        "Attempted suicide in {year}, none since",
        "Past self-harm as a teen, none in years",
        "Hx of SI in {year}, none since",
        "One suicide attempt in {year}, no SI since",
    ),
    "interpersonal_violence": (
        "Was in a violent relationship until {year}",
        "Past abuse by ex, ended {year}",
        "Left an abusive [marriage|relationship] in {year}; [no contact|safe] since",
        "Hx of DV with an ex ({year}), no contact now",
    ),
    "child_safety": (
        "K~CPS case ({year}) closed after services",
        "K~Closed CPS case from {year}",
        "K~CPS involvement in {year}, case closed",
    ),
    "social_isolation": (
        "Was very lonely after {her} divorce in {year}, now has friends",
        "Felt isolated after moving in {year} but has since made friends",
    ),
    "legal": (
        "Was on parole until {year}",
        "Custody case settled in {year}",
        "Completed probation in {year}",
        "Old [misdemeanor|charge] from {year}, resolved",
    ),
    "childcare": (
        "K~Had no childcare in {year}, now in Head Start",
        "K~Was on the daycare waitlist in {year}, has a spot now",
    ),
}

HYPOTHETICAL: dict[str, tuple[str, ...]] = {
    "housing_instability": (
        "R~If rent goes up again {she} may have to move",
        "R~Might lose the apartment if the building is sold",
        "R~Worried {she} may not make rent next month",
        "R~May face eviction if the landlord sells the building",
        "R~Lease ends in {month} and {she} is unsure it will be renewed",
    ),
    "homelessness": (
        "If {she} cannot find a place by {month}, may have to go to a shelter",
        "Could be homeless if the lease is not renewed",
        "[May|Might] need a shelter bed [soon|in {month}]",
        "Afraid of ending up on the street",
        "Worried {she} could end up homeless",
    ),
    "food_insecurity": (
        "If SNAP is cut {she} may not be able to feed the family",
        "Worried food will run out before [the end of the month|payday]",
        "[May|Might] need the food pantry [if SNAP is delayed|next month]",
    ),
    "financial_strain": (
        "Could fall into debt if {her} hours change",
        "Worried {she} will not be able to cover bills in {month}",
        "May fall behind on bills [next month|this winter]",
        "Worried about money if the tax refund is late",
    ),
    "utilities": (
        "Might lose heat if the gas bill is not paid by {month}",
        "[Worried|Afraid] the [power|gas] could be shut off [this winter|next month]",
        "May need utility help if the bill goes up",
    ),
    "employment": (
        "W~May be laid off in {month}",
        "W~Could lose {her} job if {she} keeps missing shifts",
        "W~[If|Should] the plant [closes|lays people off] {she} [will|would] lose {her} job",
        "W~Job may be at risk [if {she} misses more days|after the merger]",
        "W~Worried about layoffs at {job}",
    ),
    "transportation": (
        "Might lose {her} ride when {her} neighbor moves",
        "May need rides if {her} car does not pass inspection",
    ),
    "health_insurance": (
        "May lose coverage at the next income check",
        "Coverage could end if income goes up",
        "[Could|May] lose Medicaid at the next renewal",
        "Worried about losing coverage [in {month}|at renewal]",
    ),
    "medical_care": (
        "Might need help with meds if insurance changes",
        "May need [surgery|home care] [later this year|after the scan]",
    ),
    "mental_health": (
        "Worried about getting anxious again once the baby comes",
        "Worried {she} [could|might] get depressed again [this winter|if things get worse]",
    ),
    "substance_use": (
        "Afraid {she} could start drinking again after the loss",
        "Worried {she} [might|could] relapse [around the holidays|if stress continues]",
    ),
    "suicide_risk": ("Asked what to do if {she} ever has thoughts of self-harm",),
    "interpersonal_violence": (
        "Afraid {her} ex could become violent if {she} files for divorce",
        "Worried {her} ex [may|might] [come back|try to find {obj}] after release from jail",
    ),
    "social_isolation": (
        "May become isolated if {she} moves to the new town",
        "Worried {she} will be alone [after the move|once {her} sister moves away]",
    ),
    "legal": (
        "Could face charges if the landlord presses",
        "May need immigration help if {her} status changes",
        "May need a lawyer if {her} ex takes {obj} to court",
    ),
    "childcare": (
        "K~May need after-school care if {she} takes the day job",
        "K~Would need childcare if {she} starts [the training program|classes]",
    ),
}

OTHER: dict[str, tuple[str, ...]] = {
    "housing_instability": (
        "{Other} got an eviction notice",
        "{Other} is behind on rent",
        "{Other} is [being evicted|facing eviction]",
    ),
    "homelessness": (
        "{Other} is living in a car",
        "{Her} brother is couch surfing",
        "{Other} is homeless",
        "{Other} has been sleeping in a shelter",
    ),
    "food_insecurity": (
        "{Other} is skipping meals",
        "{Other} [does not have enough to eat|relies on the food bank]",
    ),
    "financial_strain": (
        "{Other} has no income",
        "{Other} owes money everywhere",
        "{Other} is [deep in debt|struggling with bills]",
    ),
    "utilities": (
        "{Other} has no power",
        "{Other} had [the power|the heat] shut off",
    ),
    "employment": (
        "{Other} is out of work",
        "{Her} partner's hours were cut",
        "{Other} [just lost|lost] [a|the] job",
        "{Her} partner [was laid off|lost his job]",
    ),
    "transportation": (
        "{Other} lost {their} license",
        "{Other} [has no car|can't drive anymore] and [needs|asks for] rides",
    ),
    "health_insurance": (
        "{Other} lost Medicaid",
        "{Other} is uninsured",
    ),
    "medical_care": (
        "{Other} has dementia and needs care {she} cannot provide",
        "{Other} cannot get to dialysis",
        "{Other} [is not getting|has stopped] [dialysis|treatment|medication]",
    ),
    "mental_health": (
        "{Other} is very depressed",
        "{Her} partner has untreated PTSD",
        "{Other} [struggles with|has] [depression|schizophrenia|anxiety]",
    ),
    "substance_use": (
        "{Her} partner drinks every night",
        "{Other} is using heroin again",
        "{Other} [drinks heavily|is using drugs|uses meth]",
    ),
    "suicide_risk": (
        "{Other} has been cutting",
        "{Other} [attempted suicide|has talked about suicide] [recently|last month]",
    ),
    "interpersonal_violence": (
        "{Other} is being hit by {their} boyfriend",
        "{Other} is being abused by [a partner|a boyfriend]",
    ),
    "social_isolation": (
        "{Other} has no one",
        "{Other} [is very isolated|lives alone and rarely sees anyone]",
    ),
    "legal": (
        "{Other} is on probation",
        "{Her} partner has a warrant",
        "{Other} [is in jail|has a court date|faces deportation]",
    ),
    "childcare": (
        "{Other} needs a sitter for {their} kids",
        "{Other} has no one to watch [their|her] kids",
    ),
}

# Extra lines for the Plan section; used only for needs present for the client.
PLAN: dict[str, tuple[str, ...]] = {
    "housing_instability": ("Refer to [rental assistance|eviction prevention program]",),
    "homelessness": (
        "Coordinated entry [referral made|assessment scheduled]",
        "Shelter bed [requested|secured for tonight]",
    ),
    "food_insecurity": ("Referred to [food bank|food pantry]", "Help with SNAP application"),
    "financial_strain": ("[Emergency assistance|Financial counseling] referral for bills",),
    "utilities": ("LIHEAP application [started|submitted] for the shut-off",),
    "employment": ("Referred to [workforce center|job center|job club]",),
    "transportation": ("[Transit pass|Medicaid ride] [requested|arranged]",),
    "health_insurance": ("Assist with [Medicaid|marketplace] insurance application",),
    "medical_care": ("[Connect to|Link with] [a community clinic|a PCP|the free clinic] for care",),
    "mental_health": ("Referred to [behavioral health|counseling|therapy]",),
    "substance_use": ("Referred to [detox|outpatient SUD treatment|a MAT clinic]",),
    "suicide_risk": ("Crisis team [called|notified], safety plan [done|reviewed] with {obj}",),
    "interpersonal_violence": ("[DV advocate|IPV advocate] [contacted|referral made]",),
    "child_safety": ("[CPS report filed|Report made to CPS|Hotline report to child welfare]",),
    "social_isolation": (
        "Refer to [senior center|peer support group|friendly visitor program] for isolation",
    ),
    "legal": ("Refer to legal aid",),
    "childcare": ("K~[Childcare subsidy|Head Start] application",),
}

# Screening items: (question, answers meaning yes, answers meaning no).
SCREENING: dict[str, tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]] = {
    "food_insecurity": (
        (
            "Worried food would run out before there was money for more",
            ("often true", "sometimes true"),
            ("never true",),
        ),
        (
            "Food did not last and no money to buy more",
            ("often true", "sometimes true"),
            ("never true",),
        ),
    ),
    "housing_instability": (
        ("Worried about losing your housing", ("yes",), ("no",)),
        ("Behind on rent or mortgage", ("yes",), ("no",)),
    ),
    "homelessness": (
        (
            "Living situation",
            ("no steady place to live", "staying in a shelter or car"),
            ("steady place to live",),
        ),
    ),
    "utilities": (
        (
            "Utility company threatened to shut off service in past 12 mo",
            ("yes", "already shut off"),
            ("no",),
        ),
    ),
    "transportation": (
        ("Lack of transportation kept you from appointments or work", ("yes",), ("no",)),
    ),
    "financial_strain": (
        ("Hard to pay for basics", ("very hard", "somewhat hard"), ("not hard at all",)),
    ),
    "employment": (
        ("Employment", ("unemployed, looking for work", "unemployed"), ("working full time",)),
    ),
    "health_insurance": (
        ("Health insurance", ("none", "uninsured"), ("Medicaid", "private", "Medicare")),
    ),
    "medical_care": (
        ("Needed medical care or medicine in past year but could not get it", ("yes",), ("no",)),
    ),
    "mental_health": (
        (
            "Felt down or depressed in last 2 weeks",
            ("more than half the days", "nearly every day"),
            ("not at all",),
        ),
    ),
    "substance_use": (("Alcohol or drug use causing problems in past year", ("yes",), ("no",)),),
    "suicide_risk": (
        (
            "Thoughts of being better off dead or of hurting yourself",
            ("several days", "yes"),
            ("not at all", "no"),
        ),
    ),
    "interpersonal_violence": (
        ("Anyone at home hurts, threatens or scares you", ("yes", "sometimes"), ("no", "never")),
    ),
    "social_isolation": (
        ("How often do you feel lonely or isolated", ("often", "always"), ("never", "rarely")),
    ),
    "legal": (("Legal problem you need help with", ("yes",), ("no",)),),
    "childcare": (("Need childcare to work or attend school", ("yes",), ("no",)),),
}

CLOSERS: tuple[str, ...] = (
    "Consent signed",
    "Will f/u in {n} [wks|weeks]",
    "ROI signed",
    "[Cl|Client] [pleasant|cooperative|engaged] throughout",
    "Next visit {month} {day}",
    "Reviewed program rules",
    "Cl given agency contact info",
)

# Common misspellings staff make; applied to a few notes only, never to need keywords.
TYPOS: dict[str, str] = {
    "received": "recieved",
    "because": "becuase",
    "apartment": "appartment",
    "until": "untill",
    "scheduled": "schedualed",
    "neighbor": "nieghbor",
    "throughout": "thru out",
    "weeks": "weeeks",
    "since": "sinse",
    "month": "mnth",
}
