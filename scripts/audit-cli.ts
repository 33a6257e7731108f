import { str } from 'envalid';
import { DEFAULT_SIGNAL_OPTIONS } from '../gateway/src/audit/misuse-signals';
import { buildMisuseReport, loadRoster } from '../gateway/src/audit/misuse-report';
import { SqlAuditStore } from '../gateway/src/audit/sql-audit-store';
import { verifyAllChains } from '../gateway/src/audit/verify-chains';
import { readEnv, storeLocationFrom, projectPath } from '../platform/src';
import { openSubjectDirectory } from './subject-directory';

const USAGE = `usage:
  npm run -s audit -- verify [--full]               recompute every chain from where the last run found it
                                                    intact (--full: from its start); exit 0 when intact
  npm run -s audit -- report [--from ISO] [--to ISO] [--json]
                                                    misuse signals (default: the last 7 days)`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** `npm run -s audit -- verify | report`: the auditors' and operators' tools over the audit store. */
async function main(args: string[]): Promise<number> {
  const env = readEnv({
    DATA_DIR: str({ default: 'data' }),
    DATABASE_URL: str({ default: '' }),
    AUDIT_ROSTER_FILE: str({ default: '' }),
    AUDIT_SHIFT_HOURS: str({ default: '' }),
    AUDIT_TIMEZONE: str({ default: DEFAULT_SIGNAL_OPTIONS.timeZone }),
  });
  const location = storeLocationFrom(env.DATABASE_URL, env.DATA_DIR);
  const command = args[0];
  if (command !== 'verify' && command !== 'report') {
    console.error(USAGE);
    return 2;
  }
  const store = await SqlAuditStore.open(location, 2);
  try {
    if (command === 'verify') {
      const result = await verifyAllChains(store, { checkpoints: store, full: args.includes('--full') });
      // Every bad record on a line of its own, so none hides behind another.
      for (const c of result.chains) {
        if (c.ok) console.log(`ok   ${c.chainId}: ${c.records} records${c.resumedAfter === null ? '' : ` after verified record ${c.resumedAfter}`}`);
        for (const b of c.bad) console.log(`BAD  ${c.chainId}: record ${b.seq}: ${b.reason}`);
      }
      const total = result.chains.reduce((n, c) => n + c.records, 0);
      const badCount = result.chains.reduce((n, c) => n + c.bad.length, 0);
      console.log(
        result.ok ? `audit chains intact: ${result.chains.length} chains, ${total} records` : `audit chain verification FAILED: ${badCount} bad records`,
      );
      return result.ok ? 0 : 1;
    }
    const to = new Date(option(args, '--to') ?? Date.now());
    const from = new Date(option(args, '--from') ?? to.getTime() - 7 * 86_400_000);
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) {
      console.error('--from and --to must be ISO dates, from before to');
      return 2;
    }
    const directory = await openSubjectDirectory(location);
    try {
      const report = await buildMisuseReport(store, directory, { from, to }, loadRoster(env.AUDIT_ROSTER_FILE ? projectPath(env.AUDIT_ROSTER_FILE) : null), {
        defaultShift: env.AUDIT_SHIFT_HOURS,
        timeZone: env.AUDIT_TIMEZONE,
      });
      if (args.includes('--json')) {
        console.log(JSON.stringify(report, null, 2));
      } else {
        console.log(`misuse report ${report.from} – ${report.to}: ${report.records} records, ${report.lookups} lookups, ${report.signals.length} signals`);
        for (const s of report.signals) {
          const more = s.records.length > 20 ? ` (+${s.records.length - 20})` : '';
          console.log(`\n${s.signal}  user=${s.user ?? '-'}\n  ${s.summary}\n  records: ${s.records.slice(0, 20).join(' ')}${more}`);
        }
      }
      return 0;
    } finally {
      await directory.close();
    }
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`audit: ${error.message}`);
    process.exit(1);
  },
);
