import type { JsonObject, RecordedEvent } from '@techflow/platform';

/** An event whose data lacks a field its type promises: applying it can only ever fail. */
export class MalformedEvent extends Error {
  override readonly name = 'MalformedEvent';
}

export const text = (event: RecordedEvent, key: string): string => {
  const v = event.data[key];
  if (typeof v !== 'string' || v === '') {
    throw new MalformedEvent(`${event.type} at ${event.position}: data.${key} is not a string`);
  }
  return v;
};

export const optionalText = (data: JsonObject, key: string): string | null => {
  const v = data[key];
  return typeof v === 'string' ? v : null;
};

export const flag = (event: RecordedEvent, key: string): boolean => event.data[key] === true;

/** A decimal string of minor units, checked so SQL never sees anything else. */
export const minor = (event: RecordedEvent, key: string): string => {
  const v = text(event, key);
  if (!/^-?\d+$/.test(v)) {
    throw new MalformedEvent(`${event.type} at ${event.position}: data.${key} is not an amount`);
  }
  return v;
};
