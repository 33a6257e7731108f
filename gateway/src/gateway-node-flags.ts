/**
 * V8 flags the gateway process runs with, wherever it is started: the Dockerfile's CMD,
 * docker-compose's gateways, `npm start`'s sandbox and the bench (a test checks the first two
 * against this list; the others read it).
 *
 * A larger young generation. A gateway holds every in-flight operation's subgraph answers, merged
 * result and audit record for tens of milliseconds under load, so V8's default 16 MiB semi-space
 * fills while most of that is still live: each scavenge copies it, and much of it is then promoted
 * to the old generation only to die there. At 10 connections on the wide search (bench workload 3)
 * 32 MiB halved the scavenges (576 → 305 in one run of each, side by side) and cut their time by
 * a quarter, for about 50 MiB more peak memory (388 vs 337 MiB); 64 MiB did no better and cost
 * twice that (docs/operators.md, "Speed"; bench/HISTORY.md). Subgraphs answer in a few milliseconds and keep their defaults.
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
