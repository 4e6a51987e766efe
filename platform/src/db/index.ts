export * from './ensure-database.js';
export * from './kysely.js';
export * from './pool.js';
