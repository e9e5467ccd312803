from django.dispatch import Signal

# Sent by services.create_organization inside its transaction, with ``organization``; later apps
# listen to seed their own starting vocabularies (fields of expertise, business functions).
organization_created = Signal()
