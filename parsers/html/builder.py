"""bs4's lxml HTML tree builder, minus the generic work an HTML page never needs.

bs4 builds each element through several general-purpose calls (`LXMLTreeBuilder.start`,
`BeautifulSoup.handle_starttag`, `Tag.__init__`, `setup`, `pushTag`; `endData`,
`object_was_parsed`; `_popToTag`, `popTag`) that copy the attributes twice, split every name into
namespace and local name and ask the builder the same per-tag-name questions for every element.
`FastLXMLTreeBuilder` builds the same tree, with the same attributes on every node, in one step per
lxml event. It takes bs4's own path whenever a namespace could be involved (a namespace map, a
`{uri}name` tag or attribute), when the soup filters its nodes, substitutes element classes or keeps no
multi-valued attributes, for whitespace-preserving and string-container elements (`pre`, `script` …)
and for everything while one of those is open.
"""

from __future__ import annotations

from typing import Any

from bs4.builder._lxml import LXMLTreeBuilder
from bs4.element import NavigableString, Tag

# tag name -> its multi-valued attribute names, for builders with bs4's default table (shared: the
# table is a class constant, and a builder is made per page)
_DEFAULT_LIST_ATTRIBUTES: dict[str, tuple[str, ...]] = {}
_ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"  # BeautifulSoup.ASCII_SPACES
_MAIN_CONTENT_STRING_TYPES = Tag.MAIN_CONTENT_STRING_TYPES
_new_tag = Tag.__new__
_new_str = str.__new__


class FastLXMLTreeBuilder(LXMLTreeBuilder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._list_attributes = (_DEFAULT_LIST_ATTRIBUTES if self.cdata_list_attributes is self.DEFAULT_CDATA_LIST_ATTRIBUTES
                                 else {})
        self._tag_kinds: dict[str, bool | None] = {}  # tag name -> _tag_kind(name)
        self._bs4_steps = True  # set for each document by feed()

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

    def _tag_kind(self, name: str) -> bool | None:
        """Tag.__init__'s can_be_empty_element for `name`, or None for the elements bs4 builds itself
        (whitespace-preserving ones and string containers, whose strings get classes of their own)."""
        kind = None if (name in self.preserve_whitespace_tags or name in self.string_containers
                        or name == self.soup.ROOT_TAG_NAME) else self.can_be_empty_element(name)
        self._tag_kinds[name] = kind
        return kind

    def feed(self, markup) -> None:
        soup = self.soup
        # bs4's own steps while the soup filters its nodes, makes its own element classes or keeps
        # no multi-valued attributes
        self._bs4_steps = soup.parse_only is not None or bool(soup.element_classes) or not self.cdata_list_attributes
        super().feed(markup)

    def start(self, tag, attrib, nsmap={}):  # noqa: B006  (the parent's signature)
        if nsmap or len(self.nsmaps) > 1 or tag[:1] == "{":
            return super().start(tag, attrib, nsmap)
        if attrib:
            # lxml gives str values, which HTMLAttributeDict.__setitem__ stores unchanged, so building
            # the dict in one call is the same as the parent's item-by-item copies.
            attrs = self.attribute_dict_class(attrib)
            for key in attrs:
                if key[:1] == "{":
                    return super().start(tag, attrib, nsmap)
        else:  # (lxml's empty mapping copies slowly)
            attrs = self.attribute_dict_class()
        soup = self.soup
        kind = self._tag_kinds.get(tag, ...)
        if kind is ...:
            kind = self._tag_kind(tag)
        if kind is None or self._bs4_steps:
            soup.handle_starttag(tag, None, None, attrs, namespaces=self.active_namespace_prefixes[-1])
            return
        if soup.current_data:
            self._end_data(soup)
        # Tag.__init__(soup, self, tag, None, None, attrs, soup.currentTag, previous, namespaces=…),
        # attribute by attribute in its order
        element = _new_tag(Tag)
        element.parser_class = soup.__class__
        element.name = tag
        element.namespace = None
        element._namespaces = self.active_namespace_prefixes[-1] or {}
        element.prefix = None
        element.sourceline = None
        element.sourcepos = None
        element.attribute_value_list_class = self.attribute_value_list_class
        element.attrs = self._replace_cdata_list_attribute_values(tag, attrs) if attrs else attrs
        element.known_xml = self.is_xml
        element.contents = []
        # PageElement.setup(parent, previous)
        parent = soup.currentTag
        previous = soup._most_recent_element
        element.parent = parent
        element.previous_element = previous
        if previous is not None:
            previous.next_element = element
        element.next_element = None
        element.next_sibling = None
        siblings = parent.contents
        if siblings:
            previous_sibling = siblings[-1]
            element.previous_sibling = previous_sibling
            previous_sibling.next_sibling = element
        else:
            element.previous_sibling = None
        element.hidden = False
        if tag == "meta":
            self.set_up_substitutions(element)
        element.can_be_empty_element = kind
        element.cdata_list_attributes = self.cdata_list_attributes
        element.preserve_whitespace_tags = self.preserve_whitespace_tags
        element.interesting_string_types = _MAIN_CONTENT_STRING_TYPES
        # soup.pushTag(element)
        soup._most_recent_element = element
        siblings.append(element)
        soup.tagStack.append(element)
        soup.currentTag = element
        soup.open_tag_counter[tag] += 1

    def data(self, content):
        self.soup.current_data.append(content)  # soup.handle_data

    def _end_data(self, soup) -> None:
        """soup.endData() with text pending."""
        if soup.preserve_whitespace_tag_stack or soup.string_container_stack or self._bs4_steps:
            soup.endData()
            return
        text = "".join(soup.current_data)
        if not text.strip(_ASCII_SPACES):  # only ASCII spaces: one space, or a newline if it had one
            text = "\n" if "\n" in text else " "
        soup.current_data = []
        # NavigableString(text), then soup.object_was_parsed(it)
        string = _new_str(NavigableString, text)
        string.hidden = False
        # linked in as `start` links an element (kept inline in both: a shared function called per node made the
        # tree's build a tenth slower)
        parent = soup.currentTag
        previous = soup._most_recent_element
        string.parent = parent
        string.previous_element = previous
        if previous is not None:
            previous.next_element = string
        string.next_element = None
        string.next_sibling = None
        siblings = parent.contents
        if siblings:
            previous_sibling = siblings[-1]
            string.previous_sibling = previous_sibling
            previous_sibling.next_sibling = string
        else:
            string.previous_sibling = None
        soup._most_recent_element = string
        siblings.append(string)
        # object_was_parsed's _linkage_fixer is a no-op here: the parent and every ancestor are open
        # elements, each the last child of its own parent, and the string is appended last.

    def end(self, tag):
        if len(self.nsmaps) > 1 or tag[:1] == "{":
            return super().end(tag)
        soup = self.soup
        if soup.current_data:
            self._end_data(soup)
        stack = soup.tagStack
        current = stack[-1]
        if (current.name != tag or current.prefix is not None or len(stack) < 2
                or soup.preserve_whitespace_tag_stack or soup.string_container_stack):
            soup._popToTag(tag, None)  # what soup.handle_endtag does after its endData
            return
        # soup._popToTag(tag) when the element closed is the innermost open one: soup.popTag()
        stack.pop()
        soup.open_tag_counter[tag] -= 1
        soup.currentTag = stack[-1]
