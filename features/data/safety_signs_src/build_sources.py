SOURCES = [
    # ---- suicide
    (
        "cssrs_screener",
        "Columbia-Suicide Severity Rating Scale (C-SSRS), Screen Version (Posner et al.)",
        "https://cssrs.columbia.edu/",
    ),
    (
        "asq",
        "Ask Suicide-Screening Questions (ASQ) Toolkit, National Institute of Mental Health",
        "https://www.nimh.nih.gov/labs-at-nimh/asq-toolkit-materials/index.shtml",
    ),
    (
        "phq9_item9",
        "Patient Health Questionnaire-9, item 9 (Kroenke, Spitzer & Williams 2001)",
        "https://psychiatryonline.org/doi/10.1176/appi.ps.201200587",
    ),
    (
        "epds_item10",
        "Edinburgh Postnatal Depression Scale, item 10 (Cox, Holden & Sagovsky 1987)",
        "https://www.postpartumwell.com/edinburgh",
    ),
    (
        "is_path_warm",
        "IS PATH WARM suicide warning signs, American Association of Suicidology (Rudd et al. 2006, Suicide Life Threat Behav 36(3):255-262)",
        "http://suicideprevention.ca/preventing/warning-signs/",
    ),
    (
        "afsp_warning_signs",
        "American Foundation for Suicide Prevention: Risk Factors, Protective Factors and Warning Signs (talk / behavior / mood)",
        "https://afsp.org/risk-factors-protective-factors-and-warning-signs",
    ),
    (
        "lifeline_988",
        "988 Suicide & Crisis Lifeline / Suicide Prevention Resource Center warning signs",
        "https://www.mmhealth.org/news-and-events/education/warning-signs-of-suicide/",
    ),
    (
        "nimh_warning_signs",
        "NIMH: Warning Signs of Suicide",
        "https://www.nimh.nih.gov/health/publications/warning-signs-of-suicide",
    ),
    (
        "sprc_calm",
        "Counseling on Access to Lethal Means (CALM), Suicide Prevention Resource Center; Harvard Means Matter",
        "https://edc.org/reduce-access-lethal-means-save-lives",
    ),
    (
        "mayo_nssi",
        "Mayo Clinic: Self-injury/cutting, symptoms and forms of self-injury",
        "https://www.mayoclinic.org/diseases-conditions/self-injury/symptoms-causes/syc-20350950",
    ),
    # ---- interpersonal violence
    (
        "hits",
        "HITS (Hurt, Insult, Threaten, Scream) domestic violence screen (Sherin et al. 1998, Fam Med 30(7):508-512)",
        "https://www.cebc4cw.org/assessment-tool/hits-hurt-insult-threaten-scream-tool/",
    ),
    (
        "wast",
        "Woman Abuse Screening Tool (WAST) and WAST-Short (Brown et al. 2000, J Fam Pract 49(10):896-903)",
        "https://www.fpnotebook.com/Prevent/Exam/WstScrnFrIntmtPrtnrVlnc.htm",
    ),
    (
        "hark",
        "HARK (Humiliation, Afraid, Rape, Kick) IPV screen (Sohal, Eldridge & Feder 2007, BMC Fam Pract 8:49)",
        "https://rdrr.io/cran/cliot/man/hark_screen.html",
    ),
    (
        "psq",
        "Partner Violence Screen / Parent Screening Questionnaire items (as tabulated by KFF, IPV screening in clinical settings)",
        "https://www.kff.org/report-section/intimate-partner-violence-ipv-screening-and-counseling-services-in-clinical-settings-appendices/",
    ),
    (
        "danger_assessment",
        "Danger Assessment (Jacquelyn C. Campbell, Johns Hopkins), 20 items",
        "https://www.dangerassessment.org/",
    ),
    (
        "duluth_wheel",
        "Power and Control Wheel, Domestic Abuse Intervention Programs (Duluth Model)",
        "https://www.theduluthmodel.org/wheels/",
    ),
    (
        "immigrant_wheel",
        "Immigrant Power and Control Wheel (adaptation of the Duluth wheel used by immigrant-survivor advocates)",
        "",
    ),
    (
        "strangulation_tisp",
        "Training Institute on Strangulation Prevention: signs and symptoms of strangulation",
        "https://criminaljusticeknowhow.com/domestic-violence-and-the-symptoms-of-strangulation/",
    ),
    (
        "stalking_sparc",
        "Stalking Prevention, Awareness, and Resource Center (SPARC) stalking behaviors and lethality risk; Logan's SHARP risk profile",
        "https://www.stalkingawareness.org/",
    ),
    (
        "acog_rc",
        "ACOG Committee Opinion 554: Reproductive and Sexual Coercion (2013)",
        "http://www.acog.org/Resources_And_Publications/Committee_Opinions/Committee_on_Health_Care_for_Underserved_Women/Reproductive_and_Sexual_Coercion",
    ),
    (
        "easi",
        "Elder Abuse Suspicion Index (EASI) (Yaffe et al. 2008)",
        "https://www.findlaw.com/elder/elder-abuse/what-is-the-elder-abuse-suspicion-index-easi.html",
    ),
    (
        "ncea_indicators",
        "National Center on Elder Abuse / NCPEA indicators of financial exploitation and neglect (incl. USC EAGLE red flags)",
        "http://eagle.usc.edu/types-of-abuse/neglect",
    ),
    # ---- child safety
    (
        "cwig_signs",
        "Child Welfare Information Gateway: What Is Child Abuse and Neglect? Recognizing the Signs and Symptoms (2019)",
        "https://www.childwelfare.gov/resources/what-child-abuse-and-neglect-recognizing-signs-and-symptoms",
    ),
    (
        "cwig_home_alone",
        "Child Welfare Information Gateway: Leaving Your Child Home Alone (factsheet for families)",
        "https://www.childwelfare.gov/pubs/factsheets/homealone",
    ),
    (
        "cwig_dv_witness",
        "Child Welfare Information Gateway: Child Witnesses to Domestic Violence (state statutes series)",
        "https://www.childwelfare.gov/",
    ),
    (
        "cdc_child_maltreatment",
        "CDC: Child abuse and neglect, definitions (physical, sexual, emotional abuse, neglect)",
        "https://www.cdc.gov/child-abuse-neglect/",
    ),
    (
        "ten4_facesp",
        "TEN-4-FACESp bruising clinical decision rule (Pierce et al. 2021, JAMA Netw Open)",
        "https://research.luriechildrens.org/en/community-population-health-and-outcomes/smith-child-health-outcomes-research-and-evaluation-center/tricam/ten-4-facesp/",
    ),
    (
        "sentinel_injury",
        "Sentinel injuries in infants (Sheets et al. 2013 Pediatrics; Petska & Sheets, Subtle Findings of Physical Abuse)",
        "https://www.scribd.com/document/479028751/Lesiones-centinelas-en-abuso-fiěsico",
    ),
    (
        "aap_aht",
        "American Academy of Pediatrics: Abusive Head Trauma in Infants and Children (policy statement)",
        "",
    ),
    (
        "capta_sen",
        "CAPTA substance-exposed newborn provisions / Plan of Safe Care (Children's Bureau)",
        "",
    ),
    (
        "ma_dcf_signs",
        "Massachusetts DCF: Signs of possible neglect / sexual abuse",
        "https://www.mass.gov/service-details/signs-of-possible-neglect",
    ),
]
