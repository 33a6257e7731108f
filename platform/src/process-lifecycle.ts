/**
 * Runs `stop` once on SIGTERM or SIGINT and then exits 0: in-flight work drains, stores and the
 * audit flush, and the orchestrator sees a clean exit. A second signal while stopping is ignored.
 */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = async () => {
    if (stopping) return;
    stopping = true;
    try {
      await stop();
      process.exit(0);
    } catch (error) {
      console.error(`shutdown failed: ${(error as Error).message}`);
      process.exit(1);
    }
  };
  // onSignal handles its own failure (logs and exits 1).
  process.on('SIGTERM', () => void onSignal());
  process.on('SIGINT', () => void onSignal());
}
