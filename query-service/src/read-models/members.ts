import { type Member, tenantSchema } from '@techflow/platform';
import { orIfMissing, type ReadDb } from './db.js';

/** Every member of the tenant, by email. Membership lists are small: no paging. */
export async function listMembers(db: ReadDb, tenantId: string): Promise<Member[]> {
  return orIfMissing(
    db
      .withSchema(tenantSchema(tenantId))
      .selectFrom('members')
      .selectAll()
      .orderBy('email')
      .orderBy('user_id')
      .execute(),
    [],
  );
}
