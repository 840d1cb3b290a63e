"""bs4's lxml HTML tree builder, minus the namespace work an HTML page never needs.

For every start tag, bs4's `LXMLTreeBuilder.start` copies the attributes twice and splits each name
into namespace and local name; with lxml's HTML parser there are no namespaces, so that is about a
tenth of the tree's build time spent on nothing. `FastLXMLTreeBuilder` builds the same tree: it
takes the stock path whenever a namespace could be involved (a namespace map, a `{uri}name` tag or
attribute).
"""

from __future__ import annotations

from bs4.builder._lxml import LXMLTreeBuilder


class FastLXMLTreeBuilder(LXMLTreeBuilder):
    def start(self, tag, attrib, nsmap={}):  # noqa: B006  (the parent's signature)
        if nsmap or len(self.nsmaps) > 1 or tag[:1] == "{":
            return super().start(tag, attrib, nsmap)
        for key in attrib:
            if key[:1] == "{":
                return super().start(tag, attrib, nsmap)
        # lxml gives str values, which HTMLAttributeDict.__setitem__ stores unchanged, so building
        # the dict in one call is the same as the parent's item-by-item copies.
        self.soup.handle_starttag(tag, None, None, self.attribute_dict_class(attrib),
                                  namespaces=self.active_namespace_prefixes[-1])

    def end(self, tag):
        if len(self.nsmaps) > 1 or tag[:1] == "{":
            return super().end(tag)
        self.soup.endData()
        self.soup.handle_endtag(tag, None)
