"""Template helpers shared by every UI: bilingual data, money, icons."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from bawaba.core.i18n import current_language, pick
from bawaba.core.money import Money

register = template.Library()


@register.filter
def tr(pair):
    """{"ar": …, "en": …} from a definition, in the active language."""
    return pick(pair)


@register.filter
def money(amount, currency):
    if amount is None or currency is None:
        return ""
    return Money(int(amount), currency).format(current_language())


@register.simple_tag
def icon(name: str, css: str = "size-6"):
    return format_html(
        '<svg aria-hidden="true" focusable="false" class="{}"><use href="{}#{}"></use></svg>',
        css,
        static("bawaba/icons.svg"),
        name,
    )
