"""Evaluations, certificates and reports of an activity. Included inside the activity's
patterns of cmeconf.api.urls."""

from django.urls import path

from cmeconf.api.views import certificates, evaluations, reports

FORM = "evaluations/<int:form>/"
QUESTION = f"{FORM}questions/<int:question>/"

urlpatterns = [
    # Evaluation forms (staff) and the learner's own evaluations.
    path("evaluations/", evaluations.FormList.as_view(), name="evaluation_forms"),
    path(FORM, evaluations.FormDetail.as_view(), name="evaluation_form"),
    path(f"{FORM}questions/", evaluations.QuestionList.as_view(), name="evaluation_questions"),
    path(QUESTION, evaluations.QuestionDetail.as_view(), name="evaluation_question"),
    path(f"{QUESTION}move/", evaluations.QuestionMove.as_view(), name="evaluation_question_move"),
    path(f"{FORM}results/", evaluations.FormResults.as_view(), name="evaluation_results"),
    path("me/evaluations/", evaluations.MyEvaluationList.as_view(), name="my_evaluations"),
    path("me/evaluations/<int:form>/", evaluations.MyEvaluation.as_view(), name="my_evaluation"),
    # Certificates (staff).
    path("certificates/", certificates.CertificateList.as_view(), name="activity_certificates"),
    path("certificates/batches/", certificates.BatchStart.as_view(), name="certificate_batches"),
    path(
        "certificates/batches/<int:batch>/",
        certificates.BatchDetail.as_view(),
        name="certificate_batch",
    ),
    path(
        "certificates/template/",
        certificates.TemplateChoice.as_view(),
        name="certificate_template_choice",
    ),
    path(
        "certificates/<str:number>/revoke/",
        certificates.CertificateRevoke.as_view(),
        name="certificate_revoke",
    ),
    path(
        "certificates/<str:number>/reissue/",
        certificates.CertificateReissue.as_view(),
        name="certificate_reissue",
    ),
    # Reports to accreditors and boards.
    path("reports/", reports.ReportDashboard.as_view(), name="credit_reports"),
    path(
        "reports/learners/mark-reported/",
        reports.MarkReported.as_view(),
        name="credit_reports_mark_reported",
    ),
    path("reports/<str:kind>/", reports.ReportFileView.as_view(), name="credit_report_file"),
]
