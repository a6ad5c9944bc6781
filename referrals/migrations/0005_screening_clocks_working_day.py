"""A hub's screening clocks state their working day (blank: the WORKING_DAY_START and
WORKING_DAY_END settings) and whether red counts working hours or round the clock; the red
clock's field is named for hours, whichever way they are counted."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("referrals", "0004_child_record_history")]

    operations = [
        migrations.RenameField(
            model_name="screeningclocks", old_name="red_working_hours", new_name="red_hours"
        ),
        migrations.AlterField(
            model_name="screeningclocks",
            name="red_hours",
            field=models.PositiveSmallIntegerField(
                default=4, validators=[django.core.validators.MinValueValidator(1)]
            ),
        ),
        migrations.AddField(
            model_name="screeningclocks",
            name="red_counting",
            field=models.CharField(
                choices=[
                    ("working_hours", "In working hours"),
                    ("round_the_clock", "Round the clock"),
                ],
                default="working_hours",
                help_text="In working hours, or round the clock: through nights, weekends and "
                "bank holidays.",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="screeningclocks",
            name="working_day_start",
            field=models.TimeField(
                blank=True, help_text="Blank: the WORKING_DAY_START setting (09:00).", null=True
            ),
        ),
        migrations.AddField(
            model_name="screeningclocks",
            name="working_day_end",
            field=models.TimeField(
                blank=True, help_text="Blank: the WORKING_DAY_END setting (17:00).", null=True
            ),
        ),
        migrations.AddConstraint(
            model_name="screeningclocks",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("working_day_start__isnull", True),
                    ("working_day_end__isnull", True),
                    ("working_day_start__lt", models.F("working_day_end")),
                    _connector="OR",
                ),
                name="screeningclocks_start_before_end",
            ),
        ),
    ]
