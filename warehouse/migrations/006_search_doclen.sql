-- Each posting carries its document's length in words (title_len + body_len of article_search), so that
-- warehouse.search.search() scores the postings of a word without joining article_search for every document
-- that has it: at 100k articles a common word has 75k postings, and the join was most of a query's time.
ALTER TABLE search_postings ADD COLUMN doclen INTEGER;
UPDATE search_postings p SET doclen = s.title_len + s.body_len FROM article_search s WHERE s.docid = p.docid;
