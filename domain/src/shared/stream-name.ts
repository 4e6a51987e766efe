/**
 * Stream ids carry the tenant so two tenants can never share a stream, even when clients
 * choose their own ids: `<category>-<tenantId>:<id>`. The category is everything before the
 * first `-`, as EventStoreDB's $by_category projection reads it.
 */
export const streamName = (category: string, tenantId: string, id: string): string =>
  `${category}-${tenantId}:${id}`;

export interface ParsedStreamName {
  category: string;
  tenantId: string;
  id: string;
}

export const parseStreamName = (streamId: string): ParsedStreamName | null => {
  const m = /^([a-z][a-z0-9_]*)-([0-9a-f-]{36}):(.+)$/.exec(streamId);
  return m ? { category: m[1]!, tenantId: m[2]!, id: m[3]! } : null;
};

export const streamCategory = (streamId: string): string => {
  const dash = streamId.indexOf('-');
  return dash === -1 ? streamId : streamId.slice(0, dash);
};
