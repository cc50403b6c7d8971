"""The one table of the benchmark's own app: what the single-insert baseline view writes."""

from django.db import models


class Hit(models.Model):
    """One row per request to /bench/insert: the cheapest write a form post can make."""

    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=40)

    class Meta:
        app_label = "bench"

    def __str__(self) -> str:
        return f"{self.note} at {self.at}"
