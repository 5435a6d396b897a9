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
