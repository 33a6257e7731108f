import { readGatewayConfig } from '../../gateway/src/config';
import { startGateway } from '../../gateway/src/server';
import { stopOnSignals } from '../../platform/src';

/**
 * The gateway as the bench starts it. BENCH_WITHOUT_AUDIT=1 switches the audit off to measure
 * its cost: this file is the only way to, and it is not part of the service image.
 */
async function main(): Promise<void> {
  const running = await startGateway(readGatewayConfig(), { withoutAudit: process.env.BENCH_WITHOUT_AUDIT === '1' });
  stopOnSignals(() => running.stop());
}

main().catch((error: Error) => {
  console.error(`bench gateway failed: ${error.message}`);
  process.exit(1);
});
