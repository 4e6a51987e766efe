import pg from 'pg';

export interface FoldedAccount {
  balance: bigint;
  status: string;
  entries: Map<string, { amount: bigint; position: string; reference: string | undefined }>;
}

/**
 * The source of truth, folded by hand from es.events (not through any TechFlow code), so a
 * bug shared by the projector and a helper cannot hide itself.
 */
export async function foldAccounts(
  databaseUrl: string,
  tenantId: string,
): Promise<Map<string, FoldedAccount>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{
      type: string;
      data: { accountId: string; entryId?: string; amount?: string; reference?: string };
      position: string;
    }>(
      // Ordered by the bigint column, not the text alias (which would sort "10" before "9").
      `select e.type, e.data, e.position::text as position from es.events e
        where e.tenant_id = $1 and e.category = 'account' order by e.position`,
      [tenantId],
    );
    const accounts = new Map<string, FoldedAccount>();
    for (const e of rows) {
      const id = e.data.accountId;
      if (e.type === 'AccountOpened') {
        accounts.set(id, { balance: 0n, status: 'open', entries: new Map() });
        continue;
      }
      const a = accounts.get(id);
      if (!a) throw new Error(`event ${e.type} before AccountOpened for ${id}`);
      if (e.type === 'FundsDeposited' || e.type === 'FundsWithdrawn') {
        const amount = BigInt(e.data.amount ?? '0') * (e.type === 'FundsDeposited' ? 1n : -1n);
        a.balance += amount;
        if (a.entries.has(e.data.entryId ?? ''))
          throw new Error(`duplicate entry ${e.data.entryId}`);
        a.entries.set(e.data.entryId ?? '', {
          amount,
          position: e.position,
          reference: e.data.reference,
        });
      } else if (e.type === 'AccountFrozen') a.status = 'frozen';
      else if (e.type === 'AccountUnfrozen') a.status = 'open';
      else if (e.type === 'AccountClosed') a.status = 'closed';
    }
    return accounts;
  } finally {
    await client.end();
  }
}

export async function headPosition(databaseUrl: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const r = await client.query<{ position: string }>('select position::text from es.log_head');
    return r.rows[0]?.position ?? '0';
  } finally {
    await client.end();
  }
}
