import { readGatewayConfig } from '../../gateway/src/config';
import { startGateway } from '../../gateway/src/server';
import { stopOnSignals } from '../../platform/src';

/**
 * The gateway as the bench starts it. BENCH_WITHOUT_AUDIT=1 records nothing, to measure the
 * audit's cost: this file is the only code that asks for that, and it is not part of the image.
 */
async function main(): Promise<void> {
  const withoutAudit = process.env.BENCH_WITHOUT_AUDIT === '1';
  const running = await startGateway(readGatewayConfig(), withoutAudit ? { recording: () => ({ plugins: [], writer: null }) } : {});
  stopOnSignals(() => running.stop());
}

main().catch((error: Error) => {
  console.error(`bench gateway failed: ${error.message}`);
  process.exit(1);
});
