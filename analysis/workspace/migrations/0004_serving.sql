-- Model serving log: which version of a model name served from when to when. A training that
-- makes its new version serve (via 'train') and acrm models promote (via 'promote') close the
-- name's open row and open one for the new version; the open row (until_ts NULL) serves now.
CREATE TABLE IF NOT EXISTS acrm_model_serving (
    name      VARCHAR NOT NULL,
    model_id  VARCHAR NOT NULL,
    since     TIMESTAMP NOT NULL,
    until_ts  TIMESTAMP,
    via       VARCHAR NOT NULL
);
