// Child-process host for the kill -9 test: runs the local emulators on free ports and reports on stdout, one JSON
// object per line: {"event":"ready",...} once serving, {"event":"snapshot",...} after each Cosmos snapshot.
import { startLocalEmulators } from '../../lib/local/emulators.js';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: local-emulators-child.ts <dataDir>');
  process.exit(2);
}
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

const emulators = await startLocalEmulators({
  dataDir,
  blobPort: 0,
  queuePort: 0,
  cosmosPort: 0,
  onSnapshot: (info) => say({ event: 'snapshot', ...info }),
});
say({
  event: 'ready',
  cosmosEndpoint: emulators.cosmosEndpoint,
  cosmosKey: emulators.cosmosKey,
  storageConnectionString: emulators.storageConnectionString,
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void emulators.stop().then(() => {
      say({ event: 'stopped' });
      process.exit(0);
    });
  });
