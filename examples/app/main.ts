import { App } from 'cdktf';
import { ENVIRONMENTS } from './environments';
import { telehealthStack } from './integration';

// skipValidation: otherwise every resource runs `terraform version` during synth.
const app = new App({ skipValidation: true });
try {
  for (const env of ENVIRONMENTS) telehealthStack(app, env);
  app.synth();
} catch (error) {
  // Construct errors name the construct path and prop; the stack trace would only bury that line.
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
