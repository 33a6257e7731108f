import { findPersona, PERSONAS } from '../../../access-policy/src';
import { readGatewayConfig } from '../config';
import { DevIssuer } from './dev-issuer';

/**
 * `npm run -s token -- <persona>` prints one sandbox JWT; `--list` lists the personas.
 * Sandbox only: in production there is no dev issuer to sign with.
 */
async function main(args: string[]): Promise<number> {
  if (args.length === 0 || args[0] === '--help') {
    console.error('usage: npm run -s token -- <persona> | --list');
    return args.length === 0 ? 2 : 0;
  }
  if (args[0] === '--list') {
    for (const p of PERSONAS) {
      console.log(`${p.persona.padEnd(20)} ${p.description.padEnd(26)} purposes: ${p.purposes.join(' ') || '(none needed)'}  scopes: ${p.scopes.join(' ')}`);
    }
    return 0;
  }
  const persona = findPersona(args[0]);
  if (!persona) {
    console.error(`unknown persona "${args[0]}"; one of: ${PERSONAS.map((p) => p.persona).join(', ')}`);
    return 2;
  }
  // A sandbox tool, like `npm start`: it asks for the sandbox when CUSTODIAN_MODE is unset. Its
  // key is one only a sandbox gateway trusts; an explicit production (or NODE_ENV) still refuses.
  const config = readGatewayConfig(undefined, 'sandbox');
  const issuer = await DevIssuer.open(config.dataDir, config.mode);
  console.log(await issuer.sign(persona));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`token: ${error.message}`);
    process.exit(1);
  },
);
