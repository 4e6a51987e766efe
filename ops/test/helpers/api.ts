import { randomUUID } from 'node:crypto';

/** A small client for the public API as a user's browser would call it through the origin. */
export class Api {
  token = '';
  constructor(readonly origin: string) {}

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await fetch(`${this.origin}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
  }

  async signup(): Promise<{ tenantId: string; userId: string }> {
    const r = await this.request<{ tenantId: string; userId: string; accessToken: string }>(
      'POST',
      '/v1/signup',
      {
        organizationName: `Org ${randomUUID().slice(0, 8)}`,
        email: `owner-${randomUUID()}@example.com`,
        password: 'correct horse battery staple',
        name: 'Owner',
      },
    );
    if (r.status !== 201) throw new Error(`signup: ${r.status} ${JSON.stringify(r.body)}`);
    this.token = r.body.accessToken;
    return r.body;
  }

  async openAccount(
    name: string,
    currency = 'EUR',
  ): Promise<{ accountId: string; position: string }> {
    const r = await this.request<{ accountId: string; position: string }>('POST', '/v1/accounts', {
      name,
      currency,
    });
    if (r.status !== 201) throw new Error(`open account: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}
