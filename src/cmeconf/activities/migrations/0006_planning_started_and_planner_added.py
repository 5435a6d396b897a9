import django.utils.timezone
from django.db import migrations, models


def planning_started(apps, schema_editor):
    # Activities already past the draft: planning started no later than they were created.
    Activity = apps.get_model("activities", "Activity")
    for activity in Activity.objects.exclude(state="draft").only("created"):
        Activity.objects.filter(pk=activity.pk).update(planning_started_on=activity.created.date())


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0005_review_comments_amendments_stages"),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="planning_started_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="planningrole",
            name="added_on",
            field=models.DateField(auto_now_add=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.RunPython(planning_started, migrations.RunPython.noop),
    ]
