// Database outages on demand for the resilience tests: end a store's PostgreSQL sessions from a
// separate connection (as an administrator does), or cut the network to it with a local TCP relay.
import { createServer, type Server, type Socket, connect } from 'node:net';
import pg from 'pg';

/** The schema a store works in, from its location ("… (schema NAME)"). */
export function schemaOf(location: string): string {
  const m = /\(schema ([a-z0-9_]+)\)$/.exec(location);
  if (!m) throw new Error(`no schema in ${location}`);
  return m[1]!;
}

/**
 * pg_terminate_backend on every session of the store in `schema` (the pool names itself
 * "fawtara SCHEMA"), from a connection of its own; returns how many were ended.
 */
export async function terminateBackends(adminUrl: string, schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const r = await client.query<{ ended: boolean }>(
      'select pg_terminate_backend(pid) as ended from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()',
      [`fawtara ${schema}`],
    );
    return r.rows.filter((row) => row.ended).length;
  } finally {
    await client.end();
  }
}

export interface PgRelay {
  /** `url` with the relay's host and port. */
  via(url: string): string;
  /** Cut every open connection and refuse new ones (they are closed at once) until `up()`. */
  down(): void;
  up(): void;
  close(): Promise<void>;
}

/** A TCP relay on 127.0.0.1 (port 0) to the PostgreSQL server `url` points at. */
export async function pgRelay(url: string): Promise<PgRelay> {
  const target = new URL(url);
  const sockets = new Set<Socket>();
  let isDown = false;
  const server: Server = createServer((client) => {
    if (isDown) return void client.destroy();
    const upstream = connect(Number(target.port || 5432), target.hostname);
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    via: (u) => {
      const v = new URL(u);
      v.hostname = '127.0.0.1';
      v.port = String(port);
      return v.toString();
    },
    down: () => {
      isDown = true;
      for (const s of sockets) s.destroy();
    },
    up: () => void (isDown = false),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
