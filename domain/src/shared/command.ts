import { type TObject, Type } from '@sinclair/typebox';

/**
 * The schema of one command: `{ type, data }`. Commands are never stored, so unlike events
 * they carry no version; services build them from validated requests.
 */
export const commandSchema = <T extends string, D extends TObject>(
  type: T,
  data: D,
  description: string,
) =>
  Type.Object(
    { type: Type.Literal(type), data },
    { $id: `${type}.command`, description, additionalProperties: false },
  );
