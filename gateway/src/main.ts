import { readGatewayConfig, type GatewayConfig } from './config';
import { startGateway } from './server';
import { stopOnSignals } from '../../platform/src';

/** The gateway process: configuration checked at start-up; SIGTERM drains and exits 0. */
async function main(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = readGatewayConfig();
  } catch (error) {
    console.error(`gateway: ${(error as Error).message}`);
    process.exit(1);
  }
  const running = await startGateway(config);
  stopOnSignals(() => running.stop());
}

main().catch((error: Error) => {
  console.error(`gateway failed to start: ${error.message}`);
  process.exit(1);
});
