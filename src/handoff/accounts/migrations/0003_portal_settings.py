"""Portal settings belong to ``accounts``: this app takes over the model that ``work 0007`` gave
up, on the table it renamed. No row is copied."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_portal_access"),
        ("work", "0007_portal_settings_move_to_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PortalSettings",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "show_prices",
                            models.BooleanField(
                                default=False,
                                help_text="Off: the portal shows the work, never what you pay.",
                                verbose_name="show engagement prices to providers",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.organization",
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("organization",), name="portal_settings_one_per_org"
                            )
                        ],
                    },
                ),
            ]
        )
    ]
