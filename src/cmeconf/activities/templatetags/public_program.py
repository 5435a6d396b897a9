"""Template helpers of the public program pages."""

from django import template

from cmeconf.activities import schedule

register = template.Library()


@register.simple_tag
def credit_label(session) -> str:
    return schedule.credit_label(session)


@register.simple_tag
def faculty_name(person) -> str:
    return schedule.faculty_name(person)
