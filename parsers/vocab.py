"""Word lists the extractors share, kept apart from the logic that uses them.

FUNCTION_WORDS: the commonest function words (articles, pronouns, prepositions, conjunctions, auxiliary
verbs) of the languages of the Latin and Cyrillic scripts newsduck meets most. Running prose is full of
them; menus, tag lists, names and headlines have few. A shared list, not a per-language one: a block is
scored by the share of its words that are on it, whatever its language.

FUNCTION_CHARS: the same for Chinese and Japanese, as single characters (的了是在 …, の に は を …).

BYLINE_CLASS_WORDS: words of a class or id that mark an element as the story's byline (`author vcard`,
`byline`, `autor`, `verfasser`, `writer`); a writer's portrait box is named with the same words.
"""

from __future__ import annotations

FUNCTION_WORDS = frozenset("""
a an the and or but if of to in on at by for with from as into about than then that this these those it its
is are was were be been being has have had do does did not no so such which who whom whose what when where
why how there their they them he she his her him we our you your i me my us will would can could should may
might must also more most very just only over after before while because
der die das den dem des ein eine einer eines einem einen und oder aber nicht ist sind war waren wird werden
wurde hat haben hatte sich mit von zu zum zur im am auf aus bei nach für über unter auch noch nur wie als
dass daß es er sie wir ihr ich man so schon sehr
le la les un une des du de et ou mais est sont était été être a ont avait pour par sur dans avec sans en au
aux ce cette ces qui que quoi dont il elle ils elles nous vous je ne pas plus se sa son ses leur leurs
el la los las un una unos unas y o pero es son era fue ser ha han había para por con sin en del al que
quien cual como más muy se su sus lo le les este esta estos estas nos
il lo gli le uno una e o ma è sono era stato essere ha hanno aveva per con su tra fra nel nella dei delle
che chi come più anche non si suo sua suoi questo questa
o a os as um uma e ou mas é são era foi ser tem têm tinha para por com sem em no na nos nas do da dos das
que como mais muito se seu sua seus este esta isso
de het een en of maar is zijn was waren wordt worden heeft hebben had voor door met zonder in op aan bij
van die dat dit deze niet ook nog als er zij hij wij
och att det som en ett är var har hade för på med av till om inte den de jag vi
og at det som en et er var har havde for på med af til ikke den de jeg vi
og at det som en et er var har hadde for på med av til ikke den de jeg vi
i w z na do że się jest są był była było nie to jak od po przez dla który która które oraz ale lub
a i v na do že se je jsou byl byla bylo není to jak od po pro který která které ale nebo
ve bir bu da de için ile olarak olan çok daha gibi ama veya değil
dan yang di ke dari untuk dengan ini itu pada adalah dalam tidak akan juga atau
и в во не на что с со как а то это по к из у за от о же для но так его ее её их он она они мы вы я был была
было были быть есть или ли бы который которые также
""".split())

FUNCTION_CHARS = frozenset("的了是在和有也就不都而及与着或被把让对从向这那个们之其以为于所此但并则因如即该将已")
FUNCTION_CHARS = FUNCTION_CHARS | frozenset("の に は を が で と も へ や から まで より".replace(" ", ""))

BYLINE_CLASS_WORDS = ("author", "byline", "autor", "verfasser", "writer")
