// `npm run build`: the bundles every process runs (ops/src/bundle.ts).
import { buildBundles } from './bundle.js';

await buildBundles();
