export * from './credentials.js';
export * from './migrate.js';
export * from './passwords.js';
export * from './refresh-tokens.js';
export * from './sealed-responses.js';
export * from './signing-keys.js';
export * from './tables.js';
