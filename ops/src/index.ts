export { mergeOpenApi } from './gateway/merge-openapi.js';
export { routeFor } from './gateway/routing.js';
export { buildGateway, type GatewayOptions, hasBuiltUi } from './gateway.js';
export {
  GATEWAY,
  nodeCommand,
  type PortVariable,
  REPO_ROOT,
  SERVICES,
  type ServiceSpec,
  UI_DIR,
} from './services.js';
