// The normalize family's door: forwarded-client headers, client resolution behind trusted proxies, proxy
// detection and the scan's client ledger. Readers, engines and hunt.ts all resolve clients through here.
export { FORWARDED_HEADERS, forwardedHeaderOf, headerTitle, normaliseAddress, parseForwarded, MAX_HOPS, MAX_VALUE_CHARS } from './forwarded.js';
export type { ForwardedHeader, Hop } from './forwarded.js';
export { ClientTrust, canonical, isInternalAddress, parseTrustedProxy, resolveChain, resolveClient } from './client.js';
export type { ClientResolution, ForwardedValue, TrustSpec } from './client.js';
export { ProxyDetector, describeDetection } from './proxy-detect.js';
export type { DetectedProxy } from './proxy-detect.js';
export { markClient, clientOf, forwardedValues, forwardedHeaders, CLIENT_IP, PROXY_IP, CLIENT_IP_FROM, FORWARDED_CLAIM } from './mark-client.js';
export { ClientLedger } from './client-ledger.js';
export type { ClientLedgerPart } from './client-ledger.js';
