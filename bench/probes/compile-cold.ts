/**
 * Run in a fresh process by the compile benchmark: splits a cold compile into what the process
 * spends before user code, loading the compiler's modules, and the first and second compileFile.
 * The compiler is imported dynamically so its load is timed instead of happening before line one.
 */
const bootMs = performance.now();
const file = process.argv[2];
if (!file) throw new Error('usage: compile-cold.js <file.arazzo.yml>');

let t = process.hrtime.bigint();
const lap = () => {
  const now = process.hrtime.bigint();
  const elapsed = Number(now - t) / 1e6;
  t = now;
  return elapsed;
};
const { compileFile, hasErrors } = await import('../../compiler/index.js');
const importMs = lap();
const first = await compileFile(file);
const firstMs = lap();
await compileFile(file);
const secondMs = lap();
if (hasErrors(first.diagnostics)) throw new Error(`${file} does not compile`);
process.stdout.write(JSON.stringify({ bootMs, importMs, firstMs, secondMs }) + '\n');
