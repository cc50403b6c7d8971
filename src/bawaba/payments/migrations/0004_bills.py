import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0003_settlement_reconciliation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Bill",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "uuid",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, unique=True, verbose_name="public id"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "biller",
                    models.CharField(
                        help_text="Who issued it, e.g. traffic-fines.", max_length=40, verbose_name="biller"
                    ),
                ),
                ("reference", models.CharField(max_length=40, verbose_name="bill number")),
                (
                    "account",
                    models.CharField(
                        help_text="What it is looked up by: a plate or subscriber number.",
                        max_length=40,
                        verbose_name="account",
                    ),
                ),
                ("holder", models.CharField(blank=True, max_length=200, verbose_name="account holder")),
                ("label", models.JSONField(help_text='{"ar": …, "en": …}', verbose_name="what it is for")),
                ("amount", models.PositiveBigIntegerField(verbose_name="amount (minor units)")),
                ("currency", models.CharField(max_length=3, verbose_name="currency")),
                ("issued_on", models.DateField(verbose_name="issued on")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "unpaid"),
                            ("paid", "paid"),
                            ("cancelled", "cancelled by the agency"),
                        ],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "paid_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="payments.intent",
                        verbose_name="paid by",
                    ),
                ),
            ],
            options={
                "verbose_name": "bill",
                "verbose_name_plural": "bills",
            },
        ),
        migrations.CreateModel(
            name="BillLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("amount", models.PositiveBigIntegerField(verbose_name="amount (minor units)")),
                (
                    "penalty",
                    models.PositiveBigIntegerField(default=0, verbose_name="late penalty (minor units)"),
                ),
                (
                    "bill",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="lines", to="payments.bill"
                    ),
                ),
                (
                    "intent",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="bill_lines",
                        to="payments.intent",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="bill",
            index=models.Index(fields=["biller", "account", "status"], name="payments_bill_lookup"),
        ),
        migrations.AddConstraint(
            model_name="bill",
            constraint=models.UniqueConstraint(
                fields=("biller", "reference"), name="payments_bill_reference_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="billline",
            constraint=models.UniqueConstraint(fields=("intent", "bill"), name="payments_bill_line_once"),
        ),
    ]
