/**
 * The SQLSTATE of a statement's own check (es.append_rows, projections.fail_unless): raised
 * inside one statement when what it did is not what it must have done, so the statement rolls
 * back as a whole, and callers tell it from any other failure.
 */
export const FAILED_CHECK_SQLSTATE = 'TF001';
