from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "cmeconf.integrity"
    verbose_name = _("Accreditation and integrity")

    def ready(self) -> None:
        from cmeconf.activities.hooks import (
            register_learner_disclosure,
            register_transition_check,
        )
        from cmeconf.integrity.gate import approval_blockers
        from cmeconf.integrity.learner import lines_shown

        register_transition_check(approval_blockers)
        register_learner_disclosure(lines_shown)
        from cmeconf.activities.hooks import register_activity_disclosure
        from cmeconf.integrity.learner import activity_page_disclosure

        register_activity_disclosure(activity_page_disclosure)
        from cmeconf.activities.hooks import register_checklist
        from cmeconf.integrity.checklist import items as checklist_items

        register_checklist(checklist_items)
