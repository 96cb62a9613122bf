import { createRequire } from 'node:module';
import type { Command } from 'commander';

interface ServeFlags {
  config: string;
  port: string;
  host: string;
  tick: string;
  scheduler: boolean;
  publicUrl?: string;
  vendorName: string;
  pageRateLimit: string;
  allowPrivateAddresses?: boolean;
  trustProxy?: boolean;
  publicMetrics?: boolean;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the control plane: the vendor API (/api/v1, documented at /openapi.json), schedules, /metrics, /healthz, /readyz')
    .option('-c, --config <path>', 'ferry.yaml to use', process.env.FERRY_CONFIG ?? 'ferry.yaml')
    .option('--port <port>', 'port to listen on', process.env.PORT ?? '8080')
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--tick <seconds>', 'how often the scheduler looks for due destinations', '30')
    .option('--no-scheduler', 'serve the API only; run no scheduled transfers (e.g. while `ferry sync --due` runs from cron)')
    .option('--public-url <url>', 'where customers reach this server, for magic links (default: the address it listens on)')
    .option('--vendor-name <name>', "your company's name, as the customers' pages show it", 'Your data provider')
    .option('--allow-private-addresses', 'let magic-link customers point Ferry at loopback and private addresses (a test setup, or a vendor network)')
    .option('--trust-proxy', 'take the client address from X-Forwarded-For (behind your own TLS proxy)')
    .option('--public-metrics', 'serve /metrics without an API key (for a scraper on a network you trust)')
    .option('--page-rate-limit <count>', 'requests a minute one address may make to magic-link, status and sign-in pages', '30')
    .action(async (flags: ServeFlags) => {
      const port = Number(flags.port);
      const tick = Number(flags.tick);
      const pageRateLimit = Number(flags.pageRateLimit);
      if (!Number.isInteger(pageRateLimit) || pageRateLimit < 1)
        throw new Error(`--page-rate-limit must be a whole number of at least 1, not "${flags.pageRateLimit}"`);
      if (flags.publicUrl !== undefined && !/^https?:\/\/[^/]+$/.test(flags.publicUrl.replace(/\/$/, ''))) {
        throw new Error(`--public-url must be the server's origin, such as https://ferry.example.com, not "${flags.publicUrl}"`);
      }
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number (0-65535), not "${flags.port}"`);
      if (!Number.isFinite(tick) || tick < 1) throw new Error(`--tick must be at least 1 (seconds), not "${flags.tick}"`);
      await serve(flags, port, tick, pageRateLimit);
    });
}

async function serve(flags: ServeFlags, port: number, tick: number, pageRateLimit: number): Promise<void> {
  const [
    { loadConfig },
    { openRuntime, openState },
    { openVault },
    { buildServer },
    { Scheduler },
    schedules,
    { checkDestination },
    reporter,
    redact,
  ] = await Promise.all([
    import('../config/load.ts'),
    import('../runtime.ts'),
    import('@ferry/connections'),
    import('../serve/server.ts'),
    import('../serve/scheduler.ts'),
    import('../control-plane/schedules.ts'),
    import('../connections/connection-checks.ts'),
    import('../output/reporter.ts'),
    import('../output/redact.ts'),
  ]);
  const env = process.env;
  const config = await loadConfig(flags.config, env);
  const state = await openState(config, env);
  const vault = openVault(state, env);
  const log = (line: Record<string, unknown>) =>
    process.stderr.write(`${redact.redactSecrets(JSON.stringify({ time: new Date().toISOString(), ...line }))}\n`);
  const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };
  // Known once listening (with --port 0 the port is chosen then); magic links are made only after.
  let publicUrl = flags.publicUrl?.replace(/\/$/, '') ?? '';
  const { app, runner, loadCombined } = buildServer({
    publicUrl: () => publicUrl,
    vendorName: flags.vendorName,
    pageRateLimit,
    allowPrivateAddresses: flags.allowPrivateAddresses ?? false,
    trustProxy: flags.trustProxy ?? false,
    publicMetrics: flags.publicMetrics ?? false,
    now: () => new Date(),
    checkEntry: (entry) => checkDestination(entry, () => {}),
    configFile: flags.config,
    state,
    env,
    version,
    vault,
    loadConfig: () => loadConfig(flags.config, env),
    events: reporter.createReporter(),
    log,
    async testDestination(id) {
      const runtime = await openRuntime(await loadConfig(flags.config, env), { destination: id }, env, { state });
      try {
        const entry = runtime.config.destinations.find((d) => d.id === id);
        if (!entry) throw new Error(`no destination "${id}"`);
        const checks = await checkDestination(entry, () => {});
        return {
          ok: checks.every((c) => c.status !== 'fail'),
          checks: checks.map((c) => ({ name: c.name, status: c.status, detail: redact.redactSecrets(c.detail), duration_ms: c.durationMs })),
        };
      } finally {
        await runtime.close();
      }
    },
  });
  const scheduler = new Scheduler({
    runner,
    now: () => new Date(),
    concurrency: config.sync.concurrency,
    onError: (error) => log({ msg: 'scheduler', error: error.message }),
    async due(now) {
      const combined = await loadCombined();
      return schedules.dueDestinations(combined.destinations, combined.controlPlane.managed, state, now);
    },
  });
  await app.listen({ port, host: flags.host });
  const address = app.server.address();
  const listening = typeof address === 'object' && address ? `http://${flags.host}:${address.port}` : String(address);
  publicUrl ||= listening;
  log({ msg: 'listening', url: listening, scheduler: flags.scheduler ? `every ${tick}s` : 'off' });
  // The first line on stdout is where to reach the server (tests and scripts read it; with --port 0 the port is chosen here).
  console.log(`ferry serve listening on ${listening} (API: ${listening}/api/v1, OpenAPI: ${listening}/openapi.json)`);
  if (flags.scheduler) scheduler.start(tick * 1000);

  let stopping = false;
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      if (stopping) process.exit(130);
      stopping = true;
      log({ msg: 'stopping', signal, waiting_for: runner.running });
      void (async () => {
        await scheduler.stop();
        await app.close();
        // Transfers under way finish (a second signal stops at once; the next run converges anyway).
        await runner.drain();
        await state.close();
        resolve();
      })();
    };
    // One listener per signal: the first stops gracefully, a second stops at once.
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
