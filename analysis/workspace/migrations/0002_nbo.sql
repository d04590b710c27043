-- Next best offer: the total model's scoring runs, business rules and registered selections.

-- One row per complete total-model scoring (acrm score --all). The rows of the other
-- acrm_nbo_* tables belong to the current run; a new run replaces them in one transaction.
CREATE TABLE IF NOT EXISTS acrm_nbo_runs (
    run_id      BIGINT PRIMARY KEY,
    scored_at   TIMESTAMP NOT NULL,
    as_of       DATE NOT NULL,         -- the date rules were evaluated at (snapshot + 1 day)
    customers   BIGINT NOT NULL,
    products    INTEGER NOT NULL,
    offers      BIGINT NOT NULL,
    rules_version INTEGER,             -- acrm_rules.version used (NULL = defaults)
    models      VARCHAR NOT NULL       -- JSON: product_id → model_id
);

-- Per product and channel: P(accept | offered through channel) = σ(intercept + slope·logit(score)).
CREATE TABLE IF NOT EXISTS acrm_nbo_calibration (
    product_id  INTEGER NOT NULL,
    channel     VARCHAR NOT NULL,
    intercept   DOUBLE NOT NULL,
    slope       DOUBLE NOT NULL,
    model_id    VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,      -- response | lookalike
    contacts    BIGINT NOT NULL,       -- past offers the calibration was fitted on
    accepts     BIGINT NOT NULL
);

-- The kept model's score of every customer × product it may be offered.
CREATE TABLE IF NOT EXISTS acrm_nbo_scores (
    customer_id BIGINT NOT NULL,
    product_id  INTEGER NOT NULL,
    score       DOUBLE NOT NULL
);

-- Ranked next best offers per customer after the business rules.
CREATE TABLE IF NOT EXISTS acrm_nbo_offers (
    customer_id    BIGINT NOT NULL,
    rank           INTEGER NOT NULL,
    product_id     INTEGER NOT NULL,
    channel        VARCHAR NOT NULL,
    p_accept       DOUBLE NOT NULL,
    expected_value DOUBLE NOT NULL,
    model_version  VARCHAR NOT NULL,
    reason         VARCHAR NOT NULL
);

-- Expected value per customer over every product it may be offered, and its value segment
-- by expected value (top 10 %, middle 40 %, low 50 %).
CREATE TABLE IF NOT EXISTS acrm_nbo_customers (
    customer_id    BIGINT NOT NULL,
    expected_value DOUBLE NOT NULL,
    value_segment  VARCHAR NOT NULL
);

-- Business rules files, every imported version kept; the highest version is in force.
CREATE TABLE IF NOT EXISTS acrm_rules (
    version     INTEGER PRIMARY KEY,
    source      VARCHAR NOT NULL,
    imported_at TIMESTAMP NOT NULL
);

-- What a selection or plan offered each member (the control cell included), for evaluation.
CREATE TABLE IF NOT EXISTS acrm_campaign_offers (
    campaign_id    INTEGER NOT NULL,
    customer_id    BIGINT NOT NULL,
    product_id     INTEGER NOT NULL,
    channel        VARCHAR NOT NULL,
    cell           VARCHAR NOT NULL,   -- target | control
    p_accept       DOUBLE NOT NULL,
    expected_value DOUBLE NOT NULL,
    model_version  VARCHAR NOT NULL
);
