/**
 * Subjects of the event stream: `<prefix>.<tenantId>.<category>.<eventType>`, so a consumer can
 * filter by tenant (`<prefix>.<tenant>.>`), by category (`<prefix>.*.account.>`) or by type.
 */

/** The slice of a recorded event a subject is built from. */
export interface SubjectSource {
  readonly category: string;
  readonly type: string;
  readonly metadata: { readonly tenantId: string };
}

// A subject token may not contain `.`, `*`, `>` or whitespace; ids and type names never do,
// but a stray one must not make a subject that lands in another tenant's filter.
const token = (value: string): string => (value === '' ? '_' : value.replace(/[.*>\s]/g, '_'));

export const eventSubject = (prefix: string, event: SubjectSource): string =>
  `${prefix}.${token(event.metadata.tenantId)}.${token(event.category)}.${token(event.type)}`;

/** Every event under the prefix: the stream's subject and the projections' filter. */
export const allEventsSubject = (prefix: string): string => `${prefix}.>`;

/** Every event of one tenant. */
export const tenantEventsSubject = (prefix: string, tenantId: string): string =>
  `${prefix}.${token(tenantId)}.>`;
