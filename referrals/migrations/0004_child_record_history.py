"""A child's record keeps its history (ChildRecordChange), and a confirmed match keeps the
referral's own record of the child (ChildMatch.referred_child)."""

import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0003_child_search_trigram"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="childmatch",
            name="referred_child",
            field=models.ForeignKey(
                blank=True,
                help_text="The referral's own record of the child, as its referrer gave it, kept "
                "when the match was confirmed and the referral joined the candidate's record.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="referrals.child",
            ),
        ),
        migrations.CreateModel(
            name="ChildRecordChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("field", models.CharField(max_length=50)),
                (
                    "old_value",
                    models.JSONField(
                        blank=True,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        null=True,
                    ),
                ),
                (
                    "new_value",
                    models.JSONField(
                        blank=True,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        null=True,
                    ),
                ),
                ("changed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("reason", models.TextField()),
                (
                    "changed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "child",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="record_changes",
                        to="referrals.child",
                    ),
                ),
                (
                    "referral",
                    models.ForeignKey(
                        blank=True,
                        help_text="The referral the new value came from, where there is one.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="child_record_changes",
                        to="referrals.referral",
                    ),
                ),
            ],
            options={
                "ordering": ["changed_at", "pk"],
                "indexes": [
                    models.Index(fields=["child", "changed_at"], name="childrecordchange_child")
                ],
            },
        ),
    ]
