"""Portal identities belong to ``accounts``: the table is renamed and the model leaves this app's
state; ``accounts 0002`` takes it over. No row is copied."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("work", "0005_waiting_for_us_and_on_behalf")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="portalaccess", table="accounts_portalaccess")
            ],
            state_operations=[migrations.DeleteModel(name="PortalAccess")],
        )
    ]
