-- Monitor: the baseline distributions drift (PSI) is measured against. One row per subject
-- (a feature of the customer view, or a product's score) and bin; a new baseline replaces
-- the old one in one transaction.
CREATE TABLE IF NOT EXISTS acrm_monitor_baseline (
    subject  VARCHAR NOT NULL,   -- feature name, or score:P<product_id>
    kind     VARCHAR NOT NULL,   -- feature | score
    numeric  BOOLEAN NOT NULL,   -- numeric bins (by upper edge) or categories (by label)
    bin      INTEGER NOT NULL,   -- 0 = NULL values; 1.. numeric bins or categories
    label    VARCHAR NOT NULL,   -- the category, or the bin's range
    hi       DOUBLE,             -- numeric bins: upper edge (inclusive); NULL = no upper edge
    share    DOUBLE NOT NULL,
    taken_at TIMESTAMP NOT NULL,
    source   VARCHAR NOT NULL    -- what it describes (snapshot date, scoring run)
);
