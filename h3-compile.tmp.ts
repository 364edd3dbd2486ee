import { compileFile } from './compiler/index.js';
for (const f of process.argv.slice(2)) {
  const r = await compileFile(f, { validateAsl: true, remoteSources: 'offline' });
  console.log('==', f, r.status.map((s) => `${s.workflowId}:${s.compiled}`).join(' '));
  for (const d of r.diagnostics) console.log(' ', d.severity, d.code, d.pointer, d.message.slice(0, 300));
}
