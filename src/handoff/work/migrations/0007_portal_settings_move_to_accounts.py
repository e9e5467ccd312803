"""Portal settings belong to ``accounts`` beside the portal identities: the table is renamed and
the model leaves this app's state; ``accounts 0003`` takes it over. No row is copied."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("work", "0006_portal_access_moves_to_accounts")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="portalsettings", table="accounts_portalsettings")
            ],
            state_operations=[migrations.DeleteModel(name="PortalSettings")],
        )
    ]
