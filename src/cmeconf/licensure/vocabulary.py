"""The controlled vocabularies of requirement-set files, each code with a short label.

A requirement-set file may use only these codes; ``loader`` rejects anything else,
so a typo cannot silently make a rule match nothing. Adding a code here is the
way to extend the data (document it in docs/licensure/requirements-schema.md).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Designations a credit can carry. An activity usually carries several (an ACCME
# session is often AMA_PRA_1 and AOA_2A); each requirement set picks what it accepts.
# Every code of the platform's credit registry (credits.types.REGISTRY) is here, so that
# credit claimed on the platform is understood; a test keeps the two in step.
CREDIT_TYPES: dict[str, str] = {
    "AMA_PRA_1": _("AMA PRA Category 1 Credit™"),
    "ABMS_MOC": _("ABMS board MOC points"),
    "ANCC": _("ANCC nursing contact hours"),
    "ACPE": _("ACPE pharmacy credit"),
    "AAPA_1": _("AAPA Category 1 CME"),
    "AOA_1A": _("AOA Category 1-A"),
    "IPCE": _("IPCE interprofessional credit"),
    "RC_SECTION_1": _("Royal College MOC Section 1"),
    "PARTICIPATION": _("Certificate of participation"),
    "ACPE_TECH": _("ACPE pharmacy technician credit"),
    "ECMEC": _("European CME credits (ECMEC®)"),
    "AMA_PRA_2": _("AMA PRA Category 2"),
    "AOA_1B": _("AOA Category 1-B"),
    "AOA_2A": _("AOA Category 2-A"),
    "AOA_2B": _("AOA Category 2-B"),
    "AAFP_PRESCRIBED": _("AAFP Prescribed credit"),
    "TMA_APPROVED": _("Texas Medical Association approved"),
    "TMB_ETHICS": _("Texas Medical Board ethics credit"),
    "TMB_MONITOR_DUTY": _("Texas Medical Board monitoring or evaluation duty"),
    "CMA_IMQ_CAT1": _("California Medical Association / IMQ Category 1"),
    "BOARD_ACCEPTED_OTHER": _("Other credit the board accepts"),
    "BOARD_APPROVED": _("Board-approved program"),
    "FORMAL_OTHER": _("Other formal (Category 1 equivalent) CME"),
    "INFORMAL": _("Informal CME (e.g. grand rounds without Category 1)"),
    "NON_ACCREDITED_CME": _("Non-accredited CME"),
    "TEACHING": _("Teaching health professionals"),
    "PUBLICATION": _("Publication or presentation"),
    "SELF_STUDY": _("Self-study"),
    "VOLUNTEER_SERVICE": _("Volunteer health-care service"),
    "PRACTICE_MANAGEMENT_OR_TEACHING_METHODS": _("Practice management or teaching methods"),
    "MI_CATEGORY_2": _("Michigan Category 2"),
    "TYPE_1_ACCREDITED": _("Virginia Type 1 (accredited)"),
    "TYPE_2_SELF_DESIGNATED": _("Virginia Type 2 (self-designated)"),
    "FL_BON_APPROVED_CONTACT_HOUR": _("Florida Board of Nursing approved contact hour"),
    "CA_BRN_PROVIDER_CONTACT_HOUR": _("California BRN provider contact hour"),
    "FL_BOP_APPROVED": _("Florida Board of Pharmacy approved"),
    "LIVE": _("Live pharmacy CE"),
    "RC_SECTION_2": _("Royal College MOC Section 2"),
    "RC_SECTION_3": _("Royal College MOC Section 3"),
    "DE_CME_POINT": _("German CME point (Fortbildungspunkt)"),
}

# Topic tags on an activity or credit; a topic mandate is met by credits carrying any of its tags.
TOPICS: dict[str, str] = {
    "ethics": _("Ethics"),
    "professional_responsibility": _("Professional responsibility"),
    "patient_safety": _("Patient safety"),
    "risk_management": _("Risk management"),
    "medical_errors": _("Prevention of medical errors"),
    "medication_errors": _("Prevention of medication errors"),
    "quality_improvement": _("Quality improvement"),
    "communication": _("Communication"),
    "preventive_medicine": _("Preventive medicine"),
    "duty_to_report": _("Duty to report"),
    "laws_and_rules": _("Laws and rules of the profession"),
    "board_regulations": _("Board regulations"),
    "professional_boundaries": _("Professional boundaries"),
    "sexual_harassment_prevention": _("Sexual harassment prevention"),
    "opioid_prescribing": _("Opioid prescribing"),
    "controlled_substance_prescribing": _("Controlled-substance prescribing"),
    "cs_validation": _("Validating controlled-substance prescriptions"),
    "pdmp_kasper": _("Prescription monitoring (KASPER)"),
    "pain_management": _("Pain management"),
    "addiction": _("Addiction"),
    "substance_use_disorder": _("Substance use disorder"),
    "opioid_use_disorder_treatment": _("Treatment of opioid use disorder"),
    "palliative_care": _("Palliative care"),
    "end_of_life": _("End-of-life care"),
    "domestic_violence": _("Domestic violence"),
    "sexual_violence": _("Sexual violence"),
    "human_trafficking": _("Human trafficking"),
    "child_abuse_reporting": _("Child abuse recognition and reporting"),
    "pediatric_abusive_head_trauma": _("Pediatric abusive head trauma"),
    "implicit_bias": _("Implicit bias"),
    "cultural_competency": _("Cultural competency"),
    "health_equity": _("Health equity"),
    "infection_control": _("Infection control"),
    "hiv_aids": _("HIV/AIDS"),
    "dementia": _("Dementia and Alzheimer's disease"),
    "dementia_care": _("Dementia care"),
    "geriatrics": _("Geriatric medicine"),
    "suicide_prevention": _("Suicide prevention"),
    "ehr_proficiency": _("Electronic health record proficiency"),
    "impairment_recognition": _("Recognising impairment in the workplace"),
    "immunization": _("Immunization"),
    "feedback_received": _("Feedback received on practice (assessment)"),
}

# What a requirement is counted in. Credits and points are not hours.
UNITS: dict[str, str] = {
    "hour": _("hours"),
    "credit": _("credits"),
    "credit_hour": _("credit hours"),
    "contact_hour": _("contact hours"),
    "moc_credit": _("MOC credits"),
    "cme_point": _("CME points"),
}

# Where a renewal cycle ends. Whether the anchor is verified is a separate flag
# (Cycle.anchor_confirmed); "unknown" means the cycle end must be supplied.
CYCLE_ANCHORS: dict[str, str] = {
    "birth_month_end": _("last day of the birth month"),
    "birth_month": _("during the birth month"),
    "birthday": _("the date of birth"),
    "birthday_renewal_4yr_cme_period": _("birthday renewal, CME reported every 4 years"),
    "fixed_biennium": _("the same two-year period for everyone"),
    "fixed_triennium": _("the same three-year period for everyone"),
    "fixed_biennium_by_group": _("fixed dates, even-year or odd-year group"),
    "fixed_biennium_department": _("two-year period set by the department"),
    "board_assigned_staggered": _("expiry date assigned by the board"),
    "staggered_by_surname": _("expiry depends on the surname"),
    "staggered_by_surname_initial": _("expiry depends on the surname's first letter"),
    "license_expiration_rolling_group": _("expires 31 January in one of three yearly groups"),
    "license_expiration": _("the licence's own expiry date"),
    "license_expiration_month_end": _("end of the licence's expiry month"),
    "calendar_biennium_preceding_renewal_year": _("the two calendar years before renewal"),
    "program_enrollment_calendar_years": _("calendar years from a personal start year"),
    "admission_date": _("counted from the date of admission"),
    "none_for_general_cme": _("no general cycle; each topic has its own clock"),
    "dea_registration_event": _("the next DEA registration"),
    "unknown": _("not established; supply the cycle end"),
}

# When a topic mandate is due (rules.Recurrence.kind).
RECURRENCE_KINDS: dict[str, str] = {
    "every_cycle": _("every cycle"),
    "one_time": _("once"),
    "first_renewal_only": _("at the first renewal only"),
    "every_nth_renewal": _("every n-th renewal"),
    "every_n_years": _("every n years"),
    "first_n_renewals_then_every_n_years": _("each of the first renewals, then every n years"),
    "first_renewal_then_every_nth_renewal": _("the first renewal, then every n-th renewal"),
    "annual": _("every year"),
    "board_designated_per_biennium": _("when the board designates the licensee"),
    "unknown": _("not established"),
}

# What a Recurrence counts its years from.
RECURRENCE_ANCHORS: dict[str, str] = {
    "licensure": _("first licensure"),
    "last_completion": _("the last completion"),
    "fixed": _("fixed calendar blocks"),
}

# How a first or partial cycle is treated (rules.Proration.kind).
PRORATION_KINDS: dict[str, str] = {
    "none": _("no proration"),
    "reduced_hours": _("fewer hours after a short first term"),
    "exempt_first_renewal": _("exempt at the first renewal"),
    "exempt_first_registration": _("exempt at the first registration"),
    "first_renewal_partial": _("only some topics at the first renewal"),
    "exempt_if_licensed_late_in_biennium": _("exempt if licensed late in the period"),
    "conditional_exemption": _("exempt under a condition"),
    "residency_credit": _("credit for residency or fellowship"),
    "calendar_year_exemption": _("exempt for a calendar year"),
    "equivalent": _("training counts as equivalent"),
    "transfer_in": _("credits may be transferred in"),
    "unknown": _("not established"),
}

# Facts a clinician states about their practice; a topic mandate may apply only when
# they hold (rules.AppliesIf.conditions).
CONDITIONS: dict[str, str] = {
    "dea_registration": _("holds a DEA registration"),
    "prescribes_controlled_substances": _("prescribes controlled substances"),
    "prescribed_controlled_substances_since_last_renewal": _(
        "prescribed a controlled substance since the last renewal"
    ),
    "prescriber_or_dispenser": _("prescribes or dispenses medicines"),
    "prescribes_opioids": _("prescribes opioids"),
    "prescribes_buprenorphine": _("prescribes buprenorphine"),
    "prescriptive_authority": _("has prescriptive authority"),
    "il_controlled_substance_licence": _("holds an Illinois controlled substance licence"),
    "mi_controlled_substance_licence": _(
        "holds a Michigan controlled substance licence or prescribes or dispenses them"
    ),
    "ky_controlled_substance_authority": _(
        "may prescribe or dispense controlled substances in Kentucky"
    ),
    "tn_prescribing_course_not_exempt": _("not exempt from Tennessee's prescribing course"),
    "board_designated": _("designated by the board for this period"),
    "direct_patient_care": _("practises direct patient care"),
    "treats_children": _("treats children"),
    "treats_adults": _("treats adults"),
    "treats_adults_26_plus": _("treats adults aged 26 or older"),
    "over_25pct_patients_65_plus": _("more than 25% of patients are 65 or older"),
    "opioid_pain_patients_50pct_plus": _(
        "at least half of patients are treated with opioids for pain"
    ),
    "no_pain_or_palliative_certification": _("holds no pain or palliative care certification"),
    "pain_clinic_owner": _("owns or operates a pain management clinic"),
    "primary_care_physician": _("is a primary care physician"),
    "certified_to_immunize": _("is certified to administer vaccines"),
}

# Approvals an activity's provider may carry; some mandates accept only approved courses.
APPROVALS: dict[str, str] = {
    "PA_DHS_APPROVED": _("approved by the Pennsylvania Department of Human Services"),
    "FL_STATEWIDE_PHYSICIAN_ASSOCIATION": _(
        "offered by a board-approved Florida statewide physician association"
    ),
    "HHSC_APPROVED": _("approved by the Texas Health and Human Services Commission"),
}

# How an activity is delivered.
FORMATS: dict[str, str] = {
    "live": _("in person"),
    "webinar": _("live online, with the presenter"),
    "recorded_webinar": _("recorded webinar or teleconference"),
    "enduring": _("on-demand material"),
    "home_study": _("home study"),
    "self_assessment": _("self-assessment"),
}

CONFIDENCE_LEVELS: dict[str, str] = {
    "HIGH": _("core numbers from current regulation text, cross-checked"),
    "MEDIUM": _("mixed primary and secondary sources"),
    "LOW": _("mostly secondary sources or recently enacted"),
}

SOURCE_KINDS: dict[str, str] = {
    "regulation": _("regulation"),
    "statute": _("statute"),
    "board_page": _("board page"),
    "regulator_page": _("regulator page"),
    "society_page": _("society page"),
    "secondary": _("secondary source"),
    "case_law": _("court decision"),
}

# The professions a requirement set is for, as shown to people.
PROFESSIONS: dict[str, str] = {
    "physician": _("physician"),
    "physician_specialist": _("specialist physician"),
    "registered_nurse": _("nurse"),
    "pharmacist": _("pharmacist"),
    "any_DEA_registered_practitioner": _("DEA-registered practitioner"),
}
