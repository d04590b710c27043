-- acrm's own tables. Every table the product writes is prefixed acrm_.
CREATE TABLE IF NOT EXISTS acrm_meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

-- SQL console history.
CREATE TABLE IF NOT EXISTS acrm_query_history (
    id         BIGINT PRIMARY KEY,
    ts         TIMESTAMP NOT NULL,
    query      VARCHAR NOT NULL,
    elapsed_ms DOUBLE,
    n_rows     BIGINT,
    error      VARCHAR
);

-- Saved segments: a name and a SQL boolean filter over the customer view.
CREATE TABLE IF NOT EXISTS acrm_segments (
    name        VARCHAR PRIMARY KEY,
    filter_sql  VARCHAR NOT NULL,
    description VARCHAR,
    created_at  TIMESTAMP NOT NULL
);

-- Model registry: one row per trained model version.
CREATE TABLE IF NOT EXISTS acrm_models (
    model_id    VARCHAR PRIMARY KEY,   -- name@vN
    name        VARCHAR NOT NULL,      -- e.g. P07-lookalike or a user-given name
    product_id  INTEGER,               -- NULL for generic-table models
    target      VARCHAR NOT NULL,      -- lookalike | response | SQL expression
    source      VARCHAR NOT NULL,      -- table or view trained on
    algo        VARCHAR NOT NULL,      -- logit | tree | gbdt
    version     INTEGER NOT NULL,
    params      VARCHAR,               -- JSON
    features    VARCHAR,               -- JSON list of feature names
    metrics     VARCHAR,               -- JSON (auc, gini, lift, gains, brier, cal_err, train_ms ...)
    fingerprint VARCHAR,               -- hash of the training data
    is_best     BOOLEAN DEFAULT false,
    created_at  TIMESTAMP NOT NULL,
    blob        BLOB                   -- serialized model + encoder
);

-- Scored customers per model (batch scoring).
CREATE TABLE IF NOT EXISTS acrm_scores (
    model_id    VARCHAR NOT NULL,
    customer_id BIGINT NOT NULL,
    score       DOUBLE NOT NULL,
    scored_at   TIMESTAMP NOT NULL
);

-- Simulation scenarios.
CREATE TABLE IF NOT EXISTS acrm_scenarios (
    name       VARCHAR PRIMARY KEY,
    kind       VARCHAR NOT NULL,       -- roi | inbound | frequency
    inputs     VARCHAR NOT NULL,       -- JSON
    results    VARCHAR,                -- JSON
    created_at TIMESTAMP NOT NULL
);
