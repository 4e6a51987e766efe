/**
 * The Lit UI and admin components arrive with the web-components issue; the workspace exists
 * so its layering (type-only imports from domain, no server code) is tested from the start.
 */
export type { Currency } from '@techflow/domain';
