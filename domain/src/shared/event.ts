import { type TObject, type TSchema, Type } from '@sinclair/typebox';

/**
 * The schema of one domain event: its type name, schema version and data. The same value
 * validates events, types them, and feeds the event catalog.
 */
export const eventSchema = <T extends string, V extends number, D extends TObject>(
  type: T,
  version: V,
  data: D,
  description: string,
) =>
  Type.Object(
    { type: Type.Literal(type), version: Type.Literal(version), data },
    { $id: `${type}.v${version}`, description, additionalProperties: false },
  );

/** An event as a decider emits it and evolve reads it. */
export interface DomainEvent {
  readonly type: string;
  readonly version: number;
  readonly data: object;
}

export type EventCatalogEntry = { category: string; schema: TSchema };
