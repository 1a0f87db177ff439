"""`{% personal "name" %}...{% endpersonal %}`: a part of base.html that belongs to the member who
asks (their menu, their unread count). In a page rendered once for every member it becomes a
marker, filled in for each response by `common.pagecache._fill_personal`; otherwise it renders in
place. Names are unique within base.html, the only template whose personal parts are filled in."""

from django import template

from common.pagecache import PERSONAL_MARKER, SHARED_FLAG

register = template.Library()


class PersonalNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        request = context.get("request")
        if request is not None and getattr(request, SHARED_FLAG, False):
            return PERSONAL_MARKER % self.name
        return self.nodelist.render(context)


@register.tag
def personal(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('usage: {% personal "name" %}...{% endpersonal %}')
    nodelist = parser.parse(("endpersonal",))
    parser.delete_first_token()
    return PersonalNode(bits[1][1:-1], nodelist)
