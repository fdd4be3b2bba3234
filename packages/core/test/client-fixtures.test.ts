// The protocol fixture corpus: real conversations recorded per protocol version, replayed against
// the client. A version this build still speaks must keep working with what its servers sent.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FramewrightClient, InMemoryTransport } from '../src/client/index.js';
import { PROTOCOL_VERSIONS, type OperationName } from '../src/protocol/index.js';

interface Entry {
  from: 'client' | 'server';
  message: { id?: number | string; method?: string; params?: unknown; result?: unknown; error?: { data: { code: string; message: string } } };
}
interface Fixture {
  protocolVersion: string;
  transcript: Entry[];
}

const corpus = join(import.meta.dirname, 'fixtures', 'protocol');

/**
 * Plays the server's side of a transcript: each message the client sends must match the next
 * recorded client message (its id aside); the recorded server messages up to the next client
 * message are then sent back, with response ids rewritten to the client's.
 */
function replayServer(serverSide: InMemoryTransport, transcript: Entry[], mismatches: string[]): void {
  let at = 0;
  serverSide.onmessage = (raw) => {
    const sent = raw as Entry['message'];
    const expected = transcript[at];
    if (expected?.from !== 'client') {
      mismatches.push(`unexpected ${sent.method ?? 'message'} at entry ${at}`);
      return;
    }
    const { id: _sentId, ...sentRest } = sent;
    const { id: _recordedId, ...recordedRest } = expected.message;
    if (JSON.stringify(sentRest) !== JSON.stringify(recordedRest)) mismatches.push(`entry ${at}: sent ${JSON.stringify(sentRest)}`);
    at++;
    const replies: Entry['message'][] = [];
    while (transcript[at]?.from === 'server') replies.push(transcript[at++]!.message);
    for (const reply of replies) void serverSide.send(('id' in reply ? { ...reply, id: sent.id } : reply) as never);
  };
  void serverSide.start();
}

/** What the client should make of each submit: the recorded result or error code. */
function expectedOutcomes(transcript: Entry[]) {
  return transcript.flatMap((entry, i) => {
    if (entry.from !== 'client' || entry.message.method !== 'job.submit') return [];
    const { op, params } = entry.message.params as { op: OperationName; params: never };
    const answer = transcript.slice(i + 1).find((e) => e.from === 'server' && e.message.id === entry.message.id)!.message;
    if (answer.error !== undefined) return [{ op, params, error: answer.error.data.code }];
    const jobId = (answer.result as { id: string }).id;
    const final = transcript.find((e) => e.message.method === 'job.state' && (e.message.params as { id: string; state: string }).id === jobId && ['succeeded', 'failed', 'cancelled'].includes((e.message.params as { state: string }).state));
    const job = final!.message.params as { state: string; result?: unknown; error?: { code: string } };
    const progress = transcript.filter((e) => e.message.method === 'job.progress' && (e.message.params as { jobId: string }).jobId === jobId).length;
    return [job.state === 'succeeded' ? { op, params, result: job.result, progress } : { op, params, error: job.error!.code }];
  });
}

describe('protocol fixture corpus', () => {
  it('has recordings for every protocol version this build speaks', () => {
    expect(readdirSync(corpus).sort()).toEqual([...PROTOCOL_VERSIONS].sort());
  });

  const fixtures = readdirSync(corpus).flatMap((version) =>
    readdirSync(join(corpus, version)).map((file) => [`${version}/${file}`, JSON.parse(readFileSync(join(corpus, version, file), 'utf8')) as Fixture] as const),
  );

  it.each(fixtures)('replays %s', async (_name, fixture) => {
    const hello = fixture.transcript[0]!.message.params as { versions: string[]; client: { name: string; version: string } };
    const mismatches: string[] = [];
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    replayServer(serverSide, fixture.transcript, mismatches);
    const client = new FramewrightClient(() => clientSide, { versions: hello.versions, clientInfo: hello.client, reconnect: false });
    const errors: Error[] = [];
    client.onerror = (e) => errors.push(e);
    expect((await client.connect()).version).toBe(fixture.protocolVersion);
    for (const outcome of expectedOutcomes(fixture.transcript)) {
      let progress = 0;
      const run = client.run(outcome.op, outcome.params, { onProgress: () => progress++ });
      if ('error' in outcome) await expect(run).rejects.toMatchObject({ name: 'FramewrightError', code: outcome.error });
      else {
        expect(await run).toEqual(outcome.result);
        expect(progress).toBe(outcome.progress);
      }
    }
    await client.close();
    expect(mismatches).toEqual([]);
    expect(errors).toEqual([]);
  });
});
