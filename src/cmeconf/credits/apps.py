from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _recompute_after_commit(sender, instance, **kwargs) -> None:
    """A session was saved or deleted: bring the activity's designations in line.

    Activities must not know credit (the flow runs the other way), so credit listens
    to the program's sessions. It runs after the program change is committed, in its
    own transaction, as the system; a failure there is logged and does not undo or
    break the program change (staff can run the same check from the credit page).
    """
    from django.db import transaction

    activity_id = instance.activity_id

    def run() -> None:
        from cmeconf.activities.models import Activity
        from cmeconf.credits import designation
        from cmeconf.credits.models import Designation

        if not Designation.objects.filter(activity_id=activity_id).exists():
            return
        activity = Activity.objects.select_related("provider").filter(pk=activity_id).first()
        if activity is not None:
            designation.recompute(activity)

    transaction.on_commit(run, robust=True)


class CreditsConfig(AppConfig):
    name = "cmeconf.credits"
    verbose_name = _("Credit")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from cmeconf.activities.hooks import register_activity_statements
        from cmeconf.activities.models import Session
        from cmeconf.credits.designation import statement_blocks

        register_activity_statements(statement_blocks)
        post_save.connect(
            _recompute_after_commit, sender=Session, dispatch_uid="credits.recompute_on_save"
        )
        post_delete.connect(
            _recompute_after_commit, sender=Session, dispatch_uid="credits.recompute_on_delete"
        )
