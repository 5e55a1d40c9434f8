// Sets up Azurite for leakdex's audit tests: containers at the three public access
// levels — "container" (anonymous list and read), "blob" (anonymous read by name only)
// and none (private) — each holding the files of DIR.
//
//   node setup-azure.mjs http://127.0.0.1:PORT DIR
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const [endpoint, dir] = process.argv.slice(2);
// Azurite's well-known development account (public, documented by Microsoft).
const account = "devstoreaccount1";
const key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const service = new BlobServiceClient(`${endpoint}/${account}`, new StorageSharedKeyCredential(account, key));

function files(d) {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

for (const [name, access] of [["open-container", "container"], ["blob-only", "blob"], ["private-data", undefined], ["public", "container"]]) {
  const c = service.getContainerClient(name);
  await c.create(access ? { access } : {});
  for (const f of files(dir)) {
    const body = readFileSync(f);
    await c.getBlockBlobClient(relative(dir, f)).upload(body, body.length);
  }
}
console.log("azurite ready");
