export * from './external-account.js';
export * from './migrate.js';
export { FAILED_CHECK_SQLSTATE } from './migrations/projections/20261128T090000-fail-unless.js';
export * from './tables.js';
export * from './tenant-schema.js';
