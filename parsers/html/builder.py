"""bs4's lxml HTML tree builder, minus the namespace work an HTML page never needs.

For every start tag, bs4's `LXMLTreeBuilder.start` copies the attributes twice and splits each name
into namespace and local name; with lxml's HTML parser there are no namespaces, so that is about a
tenth of the tree's build time spent on nothing. `FastLXMLTreeBuilder` builds the same tree: it
takes the stock path whenever a namespace could be involved (a namespace map, a `{uri}name` tag or
attribute). It also splits multi-valued attributes (`class="a b"` → `["a", "b"]`) by looking up
once per tag name which of them the tag has, instead of testing each attribute of every tag.
"""

from __future__ import annotations

from typing import Any

from bs4.builder._lxml import LXMLTreeBuilder
from bs4.element import Tag

# tag name -> its multi-valued attribute names, for builders with bs4's default table (shared: the
# table is a class constant, and a builder is made per page)
_DEFAULT_LIST_ATTRIBUTES: dict[str, tuple[str, ...]] = {}


class FastLXMLTreeBuilder(LXMLTreeBuilder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._list_attributes = (_DEFAULT_LIST_ATTRIBUTES if self.cdata_list_attributes is self.DEFAULT_CDATA_LIST_ATTRIBUTES
                                 else {})

    def _replace_cdata_list_attribute_values(self, tag_name, attrs):
        """bs4's method, same result: a multi-valued attribute's string value becomes a list of its
        words (in place, the dict keeps its order); any other value is stored again unchanged.
        `str.split()` splits where bs4's `nonwhitespace_re.findall` does (both use Unicode's
        whitespace, str.isspace), without building match objects."""
        if not attrs or not self.cdata_list_attributes:
            return attrs
        names = self._list_attributes.get(tag_name)
        if names is None:
            table = self.cdata_list_attributes
            names = tuple(table.get("*", set()) | (table.get(tag_name.lower()) or set()))
            self._list_attributes[tag_name] = names
        for name in names:
            if name in attrs:
                value = attrs[name]
                if isinstance(value, str):
                    # a list value is stored unchanged by bs4's attribute dicts' __setitem__
                    dict.__setitem__(attrs, name, self.attribute_value_list_class(value.split()))
                else:
                    attrs[name] = value
        return attrs

    def start(self, tag, attrib, nsmap={}):  # noqa: B006  (the parent's signature)
        if nsmap or len(self.nsmaps) > 1 or tag[:1] == "{":
            return super().start(tag, attrib, nsmap)
        for key in attrib:
            if key[:1] == "{":
                return super().start(tag, attrib, nsmap)
        # lxml gives str values, which HTMLAttributeDict.__setitem__ stores unchanged, so building
        # the dict in one call is the same as the parent's item-by-item copies.
        # (an element without attributes gets lxml's empty mapping, which copies slowly)
        attrs = self.attribute_dict_class(attrib) if attrib else self.attribute_dict_class()
        soup = self.soup
        if soup.parse_only is not None or soup.element_classes:
            soup.handle_starttag(tag, None, None, attrs, namespaces=self.active_namespace_prefixes[-1])
            return
        # soup.handle_starttag's steps, without a strainer or custom element classes
        if soup.current_data:  # endData does nothing without pending text
            soup.endData()
        previous = soup._most_recent_element
        element = Tag(soup, self, tag, None, None, attrs, soup.currentTag, previous,
                      namespaces=self.active_namespace_prefixes[-1])
        if previous is not None:
            previous.next_element = element
        soup._most_recent_element = element
        soup.pushTag(element)

    def data(self, content):
        self.soup.current_data.append(content)  # soup.handle_data

    def end(self, tag):
        if len(self.nsmaps) > 1 or tag[:1] == "{":
            return super().end(tag)
        soup = self.soup
        if soup.current_data:
            soup.endData()
        soup._popToTag(tag, None)  # what soup.handle_endtag does after its endData, a no-op here
