"""Django's model backend, its read of the signed-in user compiled once per process (issue 17).

Every signed-in request reads its user by primary key (`get_user`), built and compiled with
the ORM on each request; the build cost longer than PostgreSQL took to answer. This backend
reads the same row with the same SQL from a `ModelStatement`, compiled once, and makes the
same instance; logging in, permissions and everything else are `ModelBackend`'s."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from marketplace.statements import ModelStatement

_USERS: dict[type, ModelStatement] = {}


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        """The active user with this primary key, or None, as ModelBackend answers."""
        model = get_user_model()
        statement = _USERS.get(model)
        if statement is None:
            statement = _USERS[model] = ModelStatement(
                model, lambda pk: model._default_manager.filter(pk=pk), int
            )
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        found = statement.objects(pk, using=model._default_manager.db)
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None
