import type { PgQueryable } from './pg-slice.js';

export async function headPosition(db: PgQueryable): Promise<bigint> {
  const { rows } = await db.query<{ position: string }>({
    name: 'es_head_position',
    text: 'select position from es.log_head',
  });
  return BigInt(rows[0]?.position ?? '0');
}
