"""Words the demo generator builds its conference from.

Everything here is invented: the society, institutions, companies and people
do not exist. The clinical topics are real subjects of internal-medicine CME.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PROVIDER = {
    "name": "American College of Clinical Practice",
    "slug": "accp",
    "contact_email": "cme@accp.example",
    "contact_phone": "+1 312 555 0140",
    "website": "https://accp.example",
    "address": "330 North Wabash Avenue, Suite 2100\nChicago, IL 60611",
    "time_zone": "America/Chicago",
}

# (accreditor, provider ID, accredited until)
ACCREDITATIONS = (
    ("ACCME", "0004571", "2030-11-30"),
    ("ANCC", "P0574", "2029-06-30"),
    ("ACPE", "0836", "2028-12-31"),
)

# (team name, permissions)
TEAMS = (
    ("CME office", ["program", "registration", "review", "credit", "reports", "teams"]),
    ("Program committee", ["program"]),
    ("Registration desk", ["registration"]),
    ("COI review", ["review"]),
    ("Credit and reports", ["credit", "reports"]),
)


@dataclass(frozen=True)
class Login:
    key: str
    email: str
    first_name: str
    last_name: str
    credentials: str
    profession: str
    specialty: str
    role: str
    team: str = ""


LOGINS = (
    Login("director", "director@accp.example", "Renee", "Castellanos", "MD, FACP", "physician",
          "Internal Medicine", "Provider admin (CME office, all permissions)", "CME office"),
    Login("planner", "planner@accp.example", "Daniel", "Whitfield", "MD", "physician",
          "Hospital Medicine", "Program planner (Program committee)", "Program committee"),
    Login("registration", "registration@accp.example", "Tasha", "Greenberg", "", "other",
          "", "Registration staff (Registration desk)", "Registration desk"),
    Login("coi", "coi@accp.example", "Vikram", "Raman", "MD, MPH", "physician",
          "Internal Medicine", "COI reviewer (COI review)", "COI review"),
    Login("credit", "credit@accp.example", "Lorraine", "Mbeki", "MEd", "other",
          "", "Credit and reports staff (Credit and reports)", "Credit and reports"),
    Login("faculty", "faculty@accp.example", "Helen", "Okafor", "MD, FACC", "physician",
          "Cardiology", "Faculty member (opening keynote, a panel)"),
    Login("physician", "physician@accp.example", "Marcus", "Lindqvist", "MD", "physician",
          "Internal Medicine", "Learner (physician)"),
    Login("nurse", "nurse@accp.example", "Alicia", "Fernandes", "MSN, RN", "nurse",
          "Nursing Practice", "Learner (nurse)"),
    Login("admin", "admin@accp.example", "Site", "Administrator", "", "other",
          "", "Site superuser (/admin/)"),
)  # fmt: skip
# Printed with the logins; a public demo password, never a real one.
PASSWORD = "demo-cmeconf-2027"  # noqa: S105
# Every account the demo makes has an address under this domain; --reset finds them by it.
DEMO_DOMAIN = "accp.example"


@dataclass(frozen=True)
class TrackWords:
    name: str
    color: str
    specialty: str
    topic_slugs: tuple[str, ...]
    # (clinical topic, extra shared topic slugs)
    topics: tuple[tuple[str, tuple[str, ...]], ...]
    workshops: tuple[str, ...] = field(default=())


def _t(*items: str | tuple[str, tuple[str, ...]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(i if isinstance(i, tuple) else (i, ()) for i in items)


# Colours are dark enough for white text (contrast >= 4.5:1).
TRACKS = (
    TrackWords(
        "Cardiology", "#9b1c1c", "Cardiology", ("cardiology",),
        _t("Heart Failure with Preserved Ejection Fraction", "Atrial Fibrillation and Stroke "
           "Prevention", "Hypertension in Older Adults", "Lipid Management after Acute Coronary "
           "Syndrome", "Lipoprotein(a) and Residual Risk", "Cardio-Oncology", "Syncope Evaluation",
           "Valvular Heart Disease for the Internist", "Cardiac Amyloidosis",
           "Anticoagulation in Chronic Kidney Disease", "Hypertrophic Cardiomyopathy",
           "Coronary Artery Calcium Scoring", "Pulmonary Embolism Response Teams"),
        ("ECG Interpretation for the Internist", "Focused Cardiac Ultrasound"),
    ),
    TrackWords(
        "Endocrinology & Diabetes", "#7a3e00", "Endocrinology", ("diabetes",),
        _t("GLP-1 Receptor Agonists beyond Glycemia", "Obesity Pharmacotherapy",
           "Continuous Glucose Monitoring in Type 2 Diabetes", "Thyroid Nodules",
           "Subclinical Hypothyroidism", "Adrenal Incidentalomas",
           "Osteoporosis Treatment Sequencing", "Inpatient Hyperglycemia",
           "Diabetic Kidney Disease", "Primary Aldosteronism Screening",
           "Hypoglycemia in Older Adults", "Type 1 Diabetes in Adults"),
        ("Insulin Titration and CGM Data", "Thyroid Ultrasound Basics"),
    ),
    TrackWords(
        "Infectious Disease", "#1d5e20", "Infectious Disease", ("infectious-disease",),
        _t("Sepsis Management", ("Antimicrobial Stewardship", ("infection-control",)),
           "Community-Acquired Pneumonia", ("Clostridioides difficile Infection",
                                            ("infection-control",)),
           ("HIV Pre-Exposure Prophylaxis", ("hiv-aids",)),
           ("Long-Acting Injectable HIV Therapy", ("hiv-aids",)),
           "Influenza, COVID-19 and RSV", "Adult Immunization",
           "Asymptomatic Bacteriuria", "Staphylococcus aureus Bacteremia",
           "Tick-Borne Illness", "Syphilis and Congenital Syphilis"),
        ("Antibiogram Reading and Empiric Therapy",),
    ),
    TrackWords(
        "Pulmonary & Critical Care", "#0b4f71", "Pulmonary Medicine", ("pulmonology",),
        _t("COPD Exacerbations", "Biologics for Severe Asthma", "Interstitial Lung Disease",
           "Lung Cancer Screening", "Pulmonary Hypertension", "Obstructive Sleep Apnea",
           "Acute Respiratory Distress Syndrome", "Incidental Pulmonary Nodules",
           "Post-Intensive Care Syndrome", "High-Flow Nasal Oxygen",
           "Noninvasive Ventilation"),
        ("Spirometry Interpretation", "Lung Ultrasound at the Bedside"),
    ),
    TrackWords(
        "Hospital Medicine", "#4a2a7a", "Hospital Medicine", ("patient-safety",),
        _t("Perioperative Medicine", "Delirium Prevention", "Hyponatremia",
           "Acute Kidney Injury in the Hospital",
           ("Safe Discharge and Care Transitions", ("medical-errors",)),
           ("Alcohol Withdrawal", ("substance-use-disorders",)),
           "Venous Thromboembolism Prophylaxis",
           ("Inpatient Opioid Stewardship", ("pain-management-opioids", "controlled-substances")),
           ("Diagnostic Error in Hospital Medicine", ("medical-errors",)),
           "Hospital at Home", "Rapid Response and Clinical Deterioration"),
        ("Point-of-Care Ultrasound for Hospitalists", "Paracentesis and Thoracentesis Skills"),
    ),
    TrackWords(
        "Geriatrics", "#5c4a00", "Geriatric Medicine", ("geriatrics",),
        _t("Deprescribing in Older Adults", "Falls Prevention",
           ("Dementia Diagnosis and New Therapies", ("alzheimers-dementia",)),
           "Frailty Assessment", ("Advance Care Planning", ("end-of-life-care",)),
           "Polypharmacy", "Urinary Incontinence",
           ("Recognizing Elder Abuse", ("elder-abuse",)),
           ("Palliative Care Conversations", ("end-of-life-care",)),
           "Hearing Loss and Cognition",
           ("Caring for Family Caregivers", ("alzheimers-dementia",))),
        ("Goals-of-Care Conversations",),
    ),
    TrackWords(
        "Women's Health", "#8a1454", "Obstetrics and Gynecology", ("womens-health",),
        _t("Menopause Hormone Therapy", "Cardiovascular Risk after Preeclampsia",
           "Contraception in Women with Chronic Conditions",
           ("Intimate Partner Violence Screening", ("domestic-violence",)),
           "Breast Cancer Screening", "Polycystic Ovary Syndrome", "Cervical Cancer Screening",
           "Chronic Hypertension in Pregnancy", ("Postpartum Depression", ("mental-health",)),
           "Pelvic Floor Disorders"),
        ("Pelvic Examination Skills",),
    ),
    TrackWords(
        "Practice Management & Quality", "#2d3a4a", "Internal Medicine", ("quality-improvement",),
        _t(("Reducing Diagnostic Error", ("medical-errors", "patient-safety")),
           "Clinician Burnout and Well-Being",
           ("Artificial Intelligence in Clinical Documentation", ("artificial-intelligence",)),
           "Value-Based Payment Models", ("Telehealth That Works", ("telehealth",)),
           ("Health Equity in Quality Measurement", ("health-equity",)),
           ("Implicit Bias in Clinical Decision-Making", ("implicit-bias", "health-equity")),
           ("Patient Safety Culture", ("patient-safety",)),
           ("Medical Liability and Risk Management", ("risk-management", "laws-and-rules")),
           ("Professionalism and Ethics at the Bedside", ("ethics",)),
           ("Language Access and Interpreters", ("cultural-competency",)),
           "Team-Based Care"),
        ("Quality Improvement on a Budget", "Running a PDSA Cycle"),
    ),
    TrackWords(
        "Nephrology", "#004d4d", "Nephrology", ("nephrology",),
        _t("Chronic Kidney Disease Progression", "SGLT2 Inhibitors in Kidney Disease",
           "Hyperkalemia", "Kidney Stones", "Glomerular Disease for the Internist",
           "Resistant Hypertension", "Contrast-Associated Kidney Injury",
           "Dialysis Decisions in Older Adults"),
    ),
    TrackWords(
        "Gastroenterology & Hepatology", "#6b3300", "Gastroenterology", (),
        _t("Metabolic Dysfunction-Associated Steatotic Liver Disease",
           "Inflammatory Bowel Disease", "Colorectal Cancer Screening from Age 45",
           "Upper Gastrointestinal Bleeding", "Cirrhosis Care", "Irritable Bowel Syndrome",
           "Eosinophilic Esophagitis", ("Hepatitis C Elimination", ("infectious-disease",)),
           "Celiac Disease"),
    ),
    TrackWords(
        "Neurology", "#3b3b8f", "Neurology", ("neurology",),
        _t("Migraine Therapies", "Secondary Stroke Prevention", "Parkinson Disease",
           "Epilepsy in Adults", "Peripheral Neuropathy", "Multiple Sclerosis",
           "Concussion in Adults"),
    ),
    TrackWords(
        "Behavioral Health & Substance Use", "#5a2d5a", "Psychiatry", ("mental-health",),
        _t(("Opioid Use Disorder and Buprenorphine",
            ("substance-use-disorders", "controlled-substances")),
           ("Safe Opioid Prescribing for Chronic Pain",
            ("pain-management-opioids", "controlled-substances")),
           "Depression in Primary Care", "Anxiety Disorders",
           ("Suicide Risk Assessment", ("suicide-prevention",)),
           ("Alcohol Use Disorder Pharmacotherapy", ("substance-use-disorders",)),
           ("Cannabis Use and Its Harms", ("substance-use-disorders",)),
           "ADHD in Adults", "Insomnia without Hypnotics"),
        ("Motivational Interviewing", "Starting Buprenorphine in the Office"),
    ),
)  # fmt: skip


TITLE_TEMPLATES = {
    "lecture": (
        "{t}: What Changed in {year}",
        "Update in {t}",
        "{t}: A Practical Approach",
        "{t}: Evidence and Controversies",
        "Pearls and Pitfalls in {t}",
        "{t} for the Busy Clinician",
        "What's New in {t}",
        "{t}: From Guidelines to Practice",
        "{t}: Common Questions, Clear Answers",
        "Rethinking {t}",
    ),
    "case": (
        "Case Challenges in {t}",
        "Clinical Cases in {t}",
        "Tough Cases: {t}",
        "{t}: An Interactive Case-Based Review",
    ),
    "panel": (
        "Panel: Controversies in {t}",
        "Expert Panel: {t}",
        "{t}: A Multidisciplinary Panel",
    ),
    "symposium": (
        "Symposium: Advances in {t}",
        "{track} Symposium: {t}",
        "Symposium: The Future of {t}",
    ),
    "discussion": (
        "Ask the Experts: {t}",
        "Meet the Professor: {t}",
    ),
}
WORKSHOP_TEMPLATE = "Hands-on Workshop: {w}"

KEYNOTES = (
    "Opening Keynote: Medicine in the Age of Artificial Intelligence",
    "Keynote: Health Equity, from Measurement to Action",
    "Keynote: What a Pandemic Decade Taught Clinical Practice",
    "Keynote: The Clinician as Lifelong Learner",
    "Keynote: Caring for an Aging Nation",
)
KEYNOTE_TOPICS = (
    ("artificial-intelligence",),
    ("health-equity", "implicit-bias"),
    ("infectious-disease", "patient-safety"),
    ("quality-improvement",),
    ("geriatrics",),
)

# Companies are invented; these sessions are promotional and never carry credit.
INDUSTRY = (
    ("Industry Lunch Symposium: A New Option in Cardiometabolic Risk Reduction",
     "Northbridge Pharmaceuticals"),
    ("Industry Lunch Symposium: Managing Severe Asthma with a Once-Monthly Biologic",
     "Veridian Therapeutics"),
)  # fmt: skip

ABSTRACT_OPENINGS = (
    "{t} remains one of the most common questions in everyday practice, and the evidence moved "
    "quickly in the past two years.",
    "Clinicians report uncertainty about {t}, and practice still varies widely between settings.",
    "New trials and guideline updates have changed how we approach {t}.",
    "Quality data show a persistent gap between recommended and actual care in {t}.",
)
ABSTRACT_MIDDLES = {
    "lecture": "The speaker reviews the key studies, the current recommendations and what they "
    "mean for the patient in front of you.",
    "case": "Working through real, de-identified cases, the faculty show how the evidence applies "
    "when the patient does not fit the trial.",
    "panel": "A panel of clinicians with different perspectives discusses where the evidence is "
    "strong, where it is not, and how they decide.",
    "symposium": "Three short talks cover diagnosis, treatment and follow-up, followed by "
    "questions from the audience.",
    "discussion": "Bring your questions: this is an open discussion with experts in the field.",
    "workshop": "In small groups at stations, participants practise the skill on models and "
    "simulated cases, with feedback from faculty.",
    "keynote": "A plenary talk on where clinical practice is heading and what it asks of us.",
    "poster": "Authors present their work at their posters; moderators lead walking rounds.",
}
ABSTRACT_CLOSINGS = (
    "Time is reserved for questions.",
    "Participants leave with a one-page summary they can use in clinic.",
    "The session ends with an audience-response quiz to check understanding.",
    "",
)
OBJECTIVE_VERBS = ("Describe", "Apply", "Identify", "Compare", "Evaluate", "Recognize", "Select")
OBJECTIVE_PATTERNS = (
    "{verb} current evidence and recommendations on {t}",
    "{verb} patients who benefit most from changes in the management of {t}",
    "{verb} common pitfalls in {t} and how to avoid them",
    "{verb} treatment options for {t} using shared decision-making",
)

ROOMS = (
    ("Grand Ballroom", 1500, "Level 3, West Building"),
    ("Ballroom A", 600, "Level 3, West Building"),
    ("Ballroom B", 600, "Level 3, West Building"),
    ("Room 201", 250, "Level 2, North Building"),
    ("Room 202", 250, "Level 2, North Building"),
    ("Room 203", 180, "Level 2, North Building"),
    ("Room 204", 120, "Level 2, North Building"),
    ("Room 205", 120, "Level 2, North Building"),
    ("Room 206", 100, "Level 2, North Building"),
    ("Room 207", 100, "Level 2, North Building"),
)
EXHIBIT_HALL = ("Exhibit Hall C", 2500, "Level 1, South Building")

INSTITUTIONS = (
    "Lakeview University School of Medicine",
    "St. Brendan Medical Center",
    "Northshore Health System",
    "University of the Great Plains College of Medicine",
    "Mercy Valley Hospital",
    "Riverside Academic Medical Center",
    "Cascadia University Health",
    "Gulf Coast Medical College",
    "Piedmont Regional Medical Center",
    "Blue Ridge Community Health",
    "Sonora Desert Medical Center",
    "Harborview College of Osteopathic Medicine",
    "Prairie State University Hospital",
    "Atlantic Veterans Medical Center",
    "Evergreen Family Clinic",
    "Hudson Valley Internal Medicine Associates",
    "Magnolia University Medical Center",
    "Summit Children's and Adult Hospital",
    "Granite State Medical Group",
    "Three Rivers Health Partners",
    "Bayou Teaching Hospital",
    "Mesa Verde Family Health Center",
    "Sierra Foothills Medical Center",
    "Great Lakes Cancer Institute",
)
POSITIONS = (
    "Professor of Medicine and Chief of {s}",
    "Associate Professor of Medicine in {s}",
    "Assistant Professor of Medicine in {s}",
    "Director of the {s} Clinic",
    "Program Director, {s} Fellowship",
    "Attending Physician in {s}",
    "Medical Director of {s} Services",
)
INTERESTS = (
    "closing gaps between guidelines and everyday practice",
    "clinical trials and outcomes research",
    "medical education and curriculum design",
    "quality improvement and patient safety",
    "care of medically complex older adults",
    "health equity in underserved communities",
    "implementation science",
    "telehealth and digital tools in clinical care",
)
FIRST_NAMES = (
    "Aisha", "Alejandro", "Amara", "Amit", "Ana", "Andrew", "Anjali", "Benjamin", "Camila",
    "Carlos", "Catherine", "Chen", "Chidi", "Daniel", "David", "Deborah", "Diego", "Dmitri",
    "Elena", "Elizabeth", "Emeka", "Emily", "Eric", "Esther", "Fatima", "Gabriel", "Grace",
    "Hannah", "Hiroshi", "Ibrahim", "Ingrid", "Isabel", "Jacob", "James", "Jasmine", "Javier",
    "Jennifer", "Jin", "John", "Jonathan", "Joseph", "Julia", "Kavita", "Keisha", "Kenji",
    "Kevin", "Laura", "Layla", "Leah", "Li", "Lucas", "Luis", "Malik", "Maria", "Mariam",
    "Mark", "Matthew", "Mei", "Michael", "Miguel", "Mohammed", "Nadia", "Naomi", "Nathan",
    "Nia", "Nikhil", "Olga", "Omar", "Patrick", "Priya", "Rachel", "Rafael", "Rahul",
    "Rebecca", "Robert", "Rosa", "Ruth", "Samuel", "Sanjay", "Sara", "Sean", "Sofia",
    "Stephen", "Sunil", "Susan", "Tamara", "Thomas", "Tomas", "Victoria", "Wei", "William",
    "Yasmin", "Yusuf", "Zara", "Zhang", "Ayodele", "Bridget", "Connor", "Dana", "Farah",
)  # fmt: skip
LAST_NAMES = (
    "Abara", "Adeyemi", "Agarwal", "Alvarez", "Anderson", "Baker", "Banerjee", "Barnes",
    "Bennett", "Brooks", "Campbell", "Carter", "Castillo", "Chang", "Chaudhry", "Chen",
    "Clarke", "Cohen", "Collins", "Cruz", "Das", "Davis", "Diaz", "Dubois", "Edwards",
    "Evans", "Fischer", "Flores", "Foster", "Friedman", "Garcia", "Gomez", "Gonzalez",
    "Gupta", "Hall", "Hamilton", "Harris", "Hassan", "Hayes", "Hernandez", "Hoffman",
    "Huang", "Hughes", "Ibrahim", "Iyer", "Jackson", "James", "Jensen", "Johnson", "Kaplan",
    "Kapoor", "Kelly", "Khan", "Kim", "Kowalski", "Kumar", "Larsen", "Lee", "Lewis", "Li",
    "Lin", "Lopez", "Martin", "Martinez", "Mehta", "Mendoza", "Miller", "Mitchell", "Moore",
    "Morales", "Murphy", "Nakamura", "Nguyen", "Novak", "Nwosu", "O'Brien", "Okonkwo",
    "Olsen", "Ortiz", "Park", "Patel", "Perez", "Petrov", "Phillips", "Quinn", "Ramirez",
    "Rao", "Reddy", "Reyes", "Richardson", "Rivera", "Roberts", "Robinson", "Rodriguez",
    "Rossi", "Russo", "Sanchez", "Schmidt", "Scott", "Shah", "Sharma", "Silva", "Singh",
    "Stewart", "Sullivan", "Suzuki", "Tanaka", "Taylor", "Thomas", "Thompson", "Torres",
    "Tran", "Turner", "Vargas", "Walker", "Wang", "Ward", "Washington", "Watanabe", "Weber",
    "White", "Williams", "Wilson", "Wong", "Wright", "Wu", "Yamamoto", "Yang", "Young",
    "Zhang", "Zhou", "Zimmerman",
)  # fmt: skip
US_STATES = (
    "AL", "AZ", "CA", "CO", "CT", "FL", "GA", "IA", "IL", "IN", "KS", "KY", "LA", "MA", "MD",
    "MI", "MN", "MO", "NC", "NE", "NJ", "NM", "NV", "NY", "OH", "OK", "OR", "PA", "SC", "TN",
    "TX", "UT", "VA", "WA", "WI",
)  # fmt: skip
CA_PROVINCES = ("ON", "BC", "QC", "AB")

# (profession, weight, credentials choices, specialties or None for the general list)
LEARNER_PROFESSIONS = (
    ("physician", 52, ("MD", "DO", "MD, FACP", "MBBS"), None),
    ("nurse", 20, ("RN", "BSN, RN", "MSN, APRN", "DNP, APRN", "NP"), ("Nursing Practice",)),
    ("pharmacist", 9, ("PharmD", "PharmD, BCPS", "RPh"), ("Pharmacy Practice",)),
    ("physician_assistant", 10, ("PA-C",), None),
    ("psychologist", 2, ("PhD", "PsyD"), ("Psychiatry",)),
    ("social_worker", 2, ("LCSW",), ("Other",)),
    ("other", 5, ("",), ("Other",)),
)
LEARNER_SPECIALTIES = (
    "Internal Medicine", "Internal Medicine", "Internal Medicine", "Family Medicine",
    "Family Medicine", "Hospital Medicine", "Cardiology", "Endocrinology", "Infectious Disease",
    "Pulmonary Medicine", "Critical Care Medicine", "Geriatric Medicine", "Nephrology",
    "Gastroenterology", "Neurology", "Psychiatry", "Emergency Medicine",
    "Obstetrics and Gynecology", "Oncology", "Rheumatology",
)  # fmt: skip

PLANNING = {
    "practice_gap": (
        "Internists and hospitalists manage a widening range of chronic and acute conditions "
        "while recommendations change faster than practice: registry and claims data from our "
        "members' institutions show under-use of guideline-directed therapy in heart failure "
        "and diabetic kidney disease, overuse of antibiotics for asymptomatic bacteriuria, and "
        "missed screening for opioid use disorder and intimate partner violence."
    ),
    "gap_sources": ["guidelines", "quality_data", "learner_survey", "prior_evaluations"],
    "gap_evidence": (
        "2026 member needs-assessment survey (n = 2,140); evaluations of the 2026 Annual "
        "Scientific Meeting; institutional quality dashboards of 14 member hospitals; current "
        "ACC/AHA, ADA, IDSA and USPSTF guidelines."
    ),
    "educational_needs": ["knowledge", "competence", "performance"],
    "needs_description": (
        "Learners need to know what changed in the past year, to be able to apply it to complex "
        "patients (competence), and to change what they do in clinic and on the ward "
        "(performance)."
    ),
    "intended_change": ["competence", "performance", "patient_outcomes"],
    "evaluation_plan": (
        "Learners commit to one change in practice on the session evaluation; a survey at "
        "90 days asks whether they made it and what stood in the way. Chart audits at three "
        "member hospitals compare sepsis bundle and anticoagulation measures before and "
        "after the meeting."
    ),
}
OBJECTIVES = (
    "Apply the 2026-2027 guideline updates in cardiology, endocrinology and infectious disease "
    "to the care of adult patients",
    "Select evidence-based therapy for patients with multiple chronic conditions, including "
    "deprescribing where appropriate",
    "Recognize and reduce diagnostic error and unsafe transitions of care",
    "Screen for and manage opioid use disorder using current prescribing standards",
    "Identify how implicit bias affects clinical decisions and use strategies to counter it",
)
