/** The few API calls `shipmate demo` makes, with the token; errors name the call and the answer. */
import type { KeptnEvent } from '@shipmate/core';

/** A small client of the control plane's API. */
export class DemoApi {
  constructor(
    readonly endpoint: string,
    private readonly token: string,
  ) {}

  /** Any call; resolves with status and parsed body (null when empty). */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    let response: Response;
    try {
      response = await fetch(`${this.endpoint}/api${path}`, {
        method,
        headers: { 'x-token': this.token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new Error(
        `cannot reach the control plane at ${this.endpoint} (${cause}): start it with \`npm start\` (shipmate up), or give --endpoint`,
      );
    }
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    if (response.status === 401)
      throw new Error(
        `the control plane at ${this.endpoint} refused the token (401): give the right one with --api-token or SHIPMATE_API_TOKEN`,
      );
    return { status: response.status, body: parsed as T };
  }

  /** A call that must answer 2xx (or one of `accepted`). */
  async expect<T = unknown>(what: string, method: string, path: string, body?: unknown, accepted: number[] = []): Promise<T> {
    const answer = await this.call<T>(method, path, body);
    if ((answer.status < 200 || answer.status > 299) && !accepted.includes(answer.status)) {
      const message = (answer.body as { message?: unknown } | null)?.message;
      throw new Error(`${what} failed: ${method} ${path} answered ${answer.status}${typeof message === 'string' ? `: ${message}` : ''}`);
    }
    return answer.body;
  }

  /** Writes one file of the service (service level of a stage). */
  async putServiceFile(project: string, stage: string, service: string, uri: string, content: string): Promise<void> {
    await this.expect(
      `writing ${uri} in ${stage}`,
      'PUT',
      `/resource-service/v1/project/${project}/stage/${stage}/service/${service}/resource/${encodeURIComponent(uri)}`,
      {
        resourceURI: uri,
        resourceContent: Buffer.from(content).toString('base64'),
      },
    );
  }

  /** Every event of a keptn context, oldest first. */
  async contextEvents(project: string, keptnContext: string): Promise<KeptnEvent[]> {
    const events: KeptnEvent[] = [];
    let nextPageKey = '';
    do {
      const page = await this.expect<{ events: KeptnEvent[]; nextPageKey?: string }>(
        'reading the events',
        'GET',
        `/mongodb-datastore/event?project=${project}&keptnContext=${keptnContext}&pageSize=100${nextPageKey ? `&nextPageKey=${nextPageKey}` : ''}`,
      );
      events.push(...page.events);
      nextPageKey = page.nextPageKey && page.nextPageKey !== '0' ? page.nextPageKey : '';
    } while (nextPageKey);
    return events.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  }

  /** The sequence state of a context. */
  async sequenceState(project: string, keptnContext: string): Promise<{ state: string } | undefined> {
    const body = await this.expect<{ states: Array<{ state: string }> }>(
      'reading the sequence state',
      'GET',
      `/controlPlane/v1/sequence/${project}?keptnContext=${keptnContext}`,
    );
    return body.states[0];
  }
}
