"""Events about people that other parts react to without importing accounts' internals."""

from django.dispatch import Signal

# Sent after a person's profile changed (name, credentials, bio, ...), with
# sender=User, user=<the person> and fields=<the names of the changed fields>.
# Pages that show the person (program pages naming faculty) drop their caches.
profile_changed = Signal()
