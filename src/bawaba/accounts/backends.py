"""Citizens sign in with their national ID number and password."""

from django.contrib.auth.backends import ModelBackend

from .models import User
from .national_id import InvalidNationalId, clean


class NationalIdBackend(ModelBackend):
    def authenticate(self, request, national_id: str | None = None, password: str | None = None, **kwargs):
        if not national_id or password is None:
            return None
        try:
            user = User.objects.get(national_id=clean(national_id))
        except (User.DoesNotExist, InvalidNationalId):
            # Spend the time a real check would, so the answer's timing does not tell who is registered.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
