export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __scimgateDdb?: { stop(): Promise<void> } }).__scimgateDdb?.stop();
}
